"""A backend: one storage driver, one compute helper and one network helper.

Plugins are found by short name through entry points. A combination the parts do not
support is a ConfigError at start, never a surprise at the first request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stevedore import driver as stevedore_driver
from stevedore.exception import NoMatches

from abaca.common.errors import ConfigError
from abaca.share.compute.base import ComputeHelper
from abaca.share.driver_api import BackendConfig, ShareServerSupport, StorageDriver
from abaca.share.network.base import NetworkHelper

STORAGE_GROUP = "abaca.storage_drivers"
COMPUTE_GROUP = "abaca.compute_helpers"
NETWORK_GROUP = "abaca.network_helpers"

def _plugin(namespace: str, name: str, base: type[Any], *, group: str, option: str) -> Any:
    try:
        cls: Any = stevedore_driver.DriverManager(namespace, name, invoke_on_load=False).driver
    except (NoMatches, RuntimeError) as exc:
        from stevedore import ExtensionManager

        known = sorted(ExtensionManager(namespace).names())
        raise ConfigError(f"[{group}] {option} = {name}: no such plugin; "
                          f"available: {', '.join(known) or 'none'}") from exc
    if not (isinstance(cls, type) and issubclass(cls, base)):
        raise ConfigError(f"[{group}] {option} = {name}: plugin is not a {base.__name__}")
    return cls


def storage_driver_class(name: str, *, group: str) -> type[StorageDriver]:
    cls: type[StorageDriver] = _plugin(STORAGE_GROUP, name, StorageDriver, group=group,
                                       option="share_driver")
    return cls


def compute_helper_class(name: str, *, group: str) -> type[ComputeHelper]:
    cls: type[ComputeHelper] = _plugin(COMPUTE_GROUP, name, ComputeHelper, group=group,
                                       option="compute_helper")
    return cls


def network_helper_class(name: str, *, group: str) -> type[NetworkHelper]:
    cls: type[NetworkHelper] = _plugin(NETWORK_GROUP, name, NetworkHelper, group=group,
                                       option="network_helper")
    return cls


@dataclass
class Backend:
    config: BackendConfig
    storage: StorageDriver
    compute: ComputeHelper
    network: NetworkHelper


def build(conf: Any, name: str) -> Backend:
    """Compose the backend of config group ``name`` and check the combination."""
    group = conf[name]
    dhss = bool(group.driver_handles_share_servers)
    config = BackendConfig(
        name=name,
        share_backend_name=group.share_backend_name or name,
        availability_zone=group.backend_availability_zone or conf.storage_availability_zone,
        driver_handles_share_servers=dhss,
        state_path=conf.state_path,
        options=group,
    )
    storage_cls = storage_driver_class(group.share_driver, group=name)
    compute_cls = compute_helper_class(group.compute_helper, group=name)
    network_cls = network_helper_class(group.network_helper, group=name)
    if dhss not in storage_cls.supported_dhss:
        raise ConfigError(f"[{name}] driver_handles_share_servers = {dhss}: share_driver "
                          f"{group.share_driver} supports only "
                          f"{sorted(storage_cls.supported_dhss)}")
    if dhss != compute_cls.provides_share_servers:
        what = "creates share servers" if compute_cls.provides_share_servers else \
            "supplies no share servers"
        raise ConfigError(f"[{name}] driver_handles_share_servers = {dhss} contradicts "
                          f"compute_helper = {group.compute_helper}, which {what}")
    if compute_cls.provides_share_servers and not network_cls.allocates_addresses:
        raise ConfigError(f"[{name}] compute_helper = {group.compute_helper} needs a "
                          f"network_helper that allocates addresses, not "
                          f"{group.network_helper}")
    allowed = storage_cls.supported_compute_helpers
    if allowed is not None and group.compute_helper not in allowed:
        raise ConfigError(f"[{name}] compute_helper = {group.compute_helper}: share_driver "
                          f"{group.share_driver} works only with {sorted(allowed)}")
    if dhss and not issubclass(storage_cls, ShareServerSupport):
        raise ConfigError(f"[{name}] driver_handles_share_servers = True: share_driver "
                          f"{group.share_driver} cannot serve from share servers")
    # The helpers first: their option checks are cheaper than a driver's set-up.
    compute, network = compute_cls(config), network_cls(config)
    return Backend(config=config, storage=storage_cls(config), compute=compute,
                   network=network)
