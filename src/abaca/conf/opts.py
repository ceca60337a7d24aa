"""Option listing for oslo-config-generator (etc/abaca.conf.sample).

A backend group has no fixed name: each name in ``[DEFAULT] enabled_share_backends``
is a group of its own. The sample shows one documented example group holding the
common backend options and the options of every installed storage driver.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from oslo_config import cfg
from stevedore import ExtensionManager

from abaca import conf as confmod
from abaca.conf import (
    api,
    auth,
    backend,
    database,
    default,
    logging,
    quota,
    reconciler,
    scheduler,
)
from abaca.share.backend import COMPUTE_GROUP, NETWORK_GROUP, STORAGE_GROUP

BACKEND_EXAMPLE_GROUP = cfg.OptGroup(
    "backend_example",
    help="An example share backend. A backend group takes the name listed in "
         "[DEFAULT] enabled_share_backends (any name but a built-in group's); "
         "there is one such group per backend. The options prefixed with a driver's "
         "name (dummy_...) apply only when share_driver names that driver.")


def _driver_opts() -> list[cfg.Opt]:
    """The options of every storage driver installed, in driver name order."""
    drivers: ExtensionManager[Any] = ExtensionManager(STORAGE_GROUP, invoke_on_load=False)
    opts: list[cfg.Opt] = []
    for name in sorted(drivers.names()):
        opts.extend(drivers[name].plugin.options())
    return opts


def _helper_opts() -> list[cfg.Opt]:
    """The options of every compute and network helper installed, in name order."""
    opts: list[cfg.Opt] = []
    for group in (COMPUTE_GROUP, NETWORK_GROUP):
        helpers: ExtensionManager[Any] = ExtensionManager(group, invoke_on_load=False)
        for name in sorted(helpers.names()):
            opts.extend(helpers[name].plugin.options())
    return opts


def update_defaults() -> None:
    """Apply Abaca's defaults to library options (oslo.messaging's control_exchange and
    transport_url); oslo-config-generator calls it through oslo.config.opts.defaults."""
    confmod.new_conf()
    auth.authtoken_opts()  # keystonemiddleware's, with Abaca's defaults


def list_opts() -> list[tuple[str | cfg.OptGroup | None, Sequence[cfg.Opt]]]:
    return [
        (None, default.OPTS + logging.OPTS),
        (api.GROUP, api.OPTS),
        (database.GROUP, database.OPTS),
        (scheduler.GROUP, scheduler.OPTS),
        (quota.GROUP, quota.OPTS),
        (reconciler.GROUP, reconciler.OPTS),
        (BACKEND_EXAMPLE_GROUP, backend.OPTS + _driver_opts() + _helper_opts()),
    ]
