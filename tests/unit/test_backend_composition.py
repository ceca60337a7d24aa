"""A backend is a storage driver, a compute helper and a network helper, found by short
name through entry points; a combination they do not support is refused at start.

Combinations that no shipped plugin offers yet (share servers) use test plugins,
registered through a real entry point file on sys.path.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path

import pytest
from oslo_config import cfg
from stevedore import ExtensionManager

from abaca import conf as confmod
from abaca.common.errors import AbacaError, ConfigError
from abaca.share import backend as backend_mod
from abaca.share.compute.base import ComputeHelper
from abaca.share.compute.noop import NoopComputeHelper
from abaca.share.driver_api import (
    AccessRule,
    BackendStats,
    PoolStats,
    ShareRequest,
    ShareResult,
    ShareServer,
    ShareServerSupport,
    StorageDriver,
)
from abaca.share.drivers.dummy import DummyDriver
from abaca.share.network.base import Allocation, NetworkHelper, NetworkInfo, SubnetInfo
from abaca.share.network.noop import NoopNetworkHelper

# test plugins ----------------------------------------------------------------------


class PlainDriver(StorageDriver):
    """Claims both modes but cannot serve from share servers."""

    supported_dhss = frozenset({True, False})

    @classmethod
    def options(cls) -> list[cfg.Opt]:
        return [cfg.StrOpt("both_flavour", default="plain")]

    def get_stats(self) -> BackendStats:
        return BackendStats(share_backend_name=self.config.share_backend_name,
                            driver_handles_share_servers=True, storage_protocol="NFS",
                            pools=(PoolStats(pool_name="p", total_capacity_gb=1,
                                             free_capacity_gb=1),))

    def create_share(self, share: ShareRequest) -> ShareResult:
        return ShareResult(export_locations=())

    def delete_share(self, share: ShareRequest) -> None:
        return None

    def ensure_share(self, share: ShareRequest) -> ShareResult:
        return ShareResult(export_locations=())

    def update_access(self, share: ShareRequest, rules: Sequence[AccessRule],
                      add: Sequence[AccessRule], delete: Sequence[AccessRule]) -> dict[str, str]:
        return {}


class BothModesDriver(PlainDriver, ShareServerSupport):
    """Serves with and without share servers."""

    def setup_server(self, server: ShareServer) -> dict[str, str]:
        return {}

    def ensure_server(self, server: ShareServer) -> None:
        return None

    def teardown_server(self, server: ShareServer) -> None:
        return None


class NoopOnlyDriver(BothModesDriver):
    supported_compute_helpers = frozenset({"noop"})


class ServerComputeHelper(ComputeHelper):
    provides_share_servers = True


class FlatNetworkHelper(NetworkHelper):
    allocates_addresses = True

    def network_for(self, subnet: SubnetInfo) -> NetworkInfo:
        return NetworkInfo(cidr="198.18.0.0/24", ip_version=4, gateway=None, mtu=1500,
                           network_type="flat", segmentation_id=None)

    def allocate_network(self, subnet: SubnetInfo, taken: Collection[str],
                         count: int = 1) -> list[Allocation]:
        return [Allocation("198.18.0.2")]


class NotADriver:
    pass


@pytest.fixture
def extra_plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Register the plugins above under the entry point groups Abaca reads."""
    root = tmp_path / "plugins"
    dist = root / "abaca_extra_plugins-0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: abaca-test-plugins\nVersion: 0\n")
    (dist / "entry_points.txt").write_text(
        f"[{backend_mod.STORAGE_GROUP}]\n"
        f"both = {__name__}:BothModesDriver\n"
        f"notadriver = {__name__}:NotADriver\n"
        f"serverless = {__name__}:PlainDriver\n"
        f"nooponly = {__name__}:NoopOnlyDriver\n"
        f"[{backend_mod.COMPUTE_GROUP}]\n"
        f"servers = {__name__}:ServerComputeHelper\n"
        f"[{backend_mod.NETWORK_GROUP}]\n"
        f"flat = {__name__}:FlatNetworkHelper\n")
    monkeypatch.syspath_prepend(str(root))
    # stevedore keeps what it found per group for the life of the process
    monkeypatch.setattr(ExtensionManager, "ENTRY_POINT_CACHE", {})


# helpers ---------------------------------------------------------------------------

Backends = Mapping[str, Mapping[str, str]]


def load(tmp_path: Path, backends: Backends, **default: str) -> cfg.ConfigOpts:
    lines = ["[DEFAULT]", f"state_path = {tmp_path / 'state'}",
             f"enabled_share_backends = {','.join(backends)}"]
    lines += [f"{key} = {value}" for key, value in default.items()]
    for name, values in backends.items():
        lines += ["", f"[{name}]", *(f"{key} = {value}" for key, value in values.items())]
    path = tmp_path / "abaca.conf"
    path.write_text("\n".join(lines) + "\n")
    return confmod.load(["--config-file", str(path)])


def compose(tmp_path: Path, settings: Mapping[str, str]) -> backend_mod.Backend:
    """Load a config with one backend ``b1`` and build it, as a share service does."""
    conf = load(tmp_path, {"b1": settings})
    return backend_mod.build(conf, "b1")


def dummy(**extra: str) -> dict[str, str]:
    return {"share_driver": "dummy", "driver_handles_share_servers": "false", **extra}


def both(dhss: bool, **extra: str) -> dict[str, str]:
    return {"share_driver": "both", "driver_handles_share_servers": str(dhss).lower(),
            **extra}


# good combinations -----------------------------------------------------------------


def test_dummy_backend_with_defaults(tmp_path: Path) -> None:
    backend = compose(tmp_path, dummy())
    assert isinstance(backend.storage, DummyDriver)
    assert isinstance(backend.compute, NoopComputeHelper)
    assert isinstance(backend.network, NoopNetworkHelper)
    config = backend.config
    assert (config.name, config.share_backend_name, config.availability_zone) == \
        ("b1", "b1", "nova")
    assert config.driver_handles_share_servers is False
    assert config.state_path == str(tmp_path / "state")
    assert backend.storage.config is config


def test_backend_names_and_zone_come_from_its_group(tmp_path: Path) -> None:
    conf = load(tmp_path, {
        "fast": dummy(share_backend_name="ssd", backend_availability_zone="az-fast",
                      dummy_pools="a:10,b:20"),
        "slow": dummy(),
    }, storage_availability_zone="az-default")
    fast, slow = backend_mod.build(conf, "fast"), backend_mod.build(conf, "slow")
    assert (fast.config.share_backend_name, fast.config.availability_zone) == \
        ("ssd", "az-fast")
    assert (slow.config.share_backend_name, slow.config.availability_zone) == \
        ("slow", "az-default")
    # each driver reads its own group's options
    assert [p.pool_name for p in fast.storage.get_stats().pools] == ["a", "b"]
    assert [p.pool_name for p in slow.storage.get_stats().pools] == ["pool0"]


@pytest.mark.usefixtures("extra_plugins")
def test_share_servers_with_a_compute_and_a_network_helper(tmp_path: Path) -> None:
    backend = compose(tmp_path, both(True, compute_helper="servers", network_helper="flat",
                                     both_flavour="spicy"))
    assert isinstance(backend.storage, BothModesDriver)
    assert isinstance(backend.compute, ServerComputeHelper)
    assert isinstance(backend.network, FlatNetworkHelper)
    assert backend.config.driver_handles_share_servers is True
    assert backend.config.options.both_flavour == "spicy"


@pytest.mark.usefixtures("extra_plugins")
def test_a_driver_of_both_modes_without_share_servers(tmp_path: Path) -> None:
    backend = compose(tmp_path, both(False))
    assert isinstance(backend.compute, NoopComputeHelper)
    assert backend.config.driver_handles_share_servers is False


# bad combinations ------------------------------------------------------------------

BAD: list[tuple[str, dict[str, str], tuple[str, ...]]] = [
    ("unknown-share-driver", dummy(share_driver="nosuch"),
     ("[b1] share_driver = nosuch", "no such plugin", "dummy")),
    ("helper-named-as-driver", dummy(share_driver="noop"),
     ("[b1] share_driver = noop", "no such plugin")),
    ("unknown-compute-helper", dummy(compute_helper="nosuch"),
     ("[b1] compute_helper = nosuch", "available: fake, netns, noop")),
    ("unknown-network-helper", dummy(network_helper="nosuch"),
     ("[b1] network_helper = nosuch", "available: noop, standalone")),
    ("dummy-with-share-servers-but-no-helper", dummy(driver_handles_share_servers="true"),
     ("[b1] driver_handles_share_servers = True", "contradicts compute_helper = noop")),
]

BAD_WITH_TEST_PLUGINS: list[tuple[str, dict[str, str], tuple[str, ...]]] = [
    ("dhss-without-a-server-helper", both(True),
     ("[b1] driver_handles_share_servers = True", "contradicts compute_helper = noop")),
    ("server-helper-without-dhss", both(False, compute_helper="servers", network_helper="flat"),
     ("[b1] driver_handles_share_servers = False", "contradicts compute_helper = servers")),
    ("server-helper-without-addresses", both(True, compute_helper="servers"),
     ("[b1] compute_helper = servers", "network_helper", "noop")),
    ("not-a-storage-driver", dummy(share_driver="notadriver"),
     ("[b1] share_driver = notadriver", "not a StorageDriver")),
    ("driver-without-share-server-support",
     {**both(True, compute_helper="servers", network_helper="flat"),
      "share_driver": "serverless"},
     ("[b1] driver_handles_share_servers = True", "cannot serve from share servers")),
    ("driver-refuses-the-compute-helper",
     {**both(True, compute_helper="servers", network_helper="flat"),
      "share_driver": "nooponly"},
     ("[b1] compute_helper = servers", "works only with ['noop']")),
    ("compute-helper-as-network-helper",
     both(True, compute_helper="servers", network_helper="servers"),
     ("[b1] network_helper = servers", "no such plugin")),
]


@pytest.mark.parametrize(("settings", "expected"),
                         [pytest.param(s, e, id=i) for i, s, e in BAD])
def test_bad_combination(tmp_path: Path, settings: dict[str, str],
                         expected: tuple[str, ...]) -> None:
    with pytest.raises(ConfigError) as info:
        compose(tmp_path, settings)
    for text in expected:
        assert text in info.value.message


@pytest.mark.usefixtures("extra_plugins")
@pytest.mark.parametrize(("settings", "expected"),
                         [pytest.param(s, e, id=i) for i, s, e in BAD_WITH_TEST_PLUGINS])
def test_bad_combination_of_extra_plugins(tmp_path: Path, settings: dict[str, str],
                                         expected: tuple[str, ...]) -> None:
    with pytest.raises(ConfigError) as info:
        compose(tmp_path, settings)
    for text in expected:
        assert text in info.value.message


@pytest.mark.parametrize(("settings", "expected"), [
    pytest.param(dummy(dummy_pools="pool0"), "[b1] dummy_pools: 'pool0'", id="pool-no-size"),
    pytest.param(dummy(dummy_pools="p:-1"), "[b1] dummy_pools: 'p:-1'", id="pool-negative"),
    pytest.param(dummy(dummy_fail_methods="create_shar"), "[b1] unknown dummy methods",
                 id="fail-unknown-method"),
    pytest.param(dummy(dummy_method_delays="resize:1"), "[b1] unknown dummy methods",
                 id="delay-unknown-method"),
])
def test_driver_refuses_its_own_bad_options(tmp_path: Path, settings: dict[str, str],
                                            expected: str) -> None:
    # Not a ConfigError from build itself: the driver's own check, which the commands
    # turn into a configuration error before anything starts (cmd.common.share_services).
    with pytest.raises(AbacaError) as info:
        compose(tmp_path, settings)
    assert expected in info.value.message
