"""The netns compute helper builds every name it hands to ``ip`` from a UUID or checks it."""

from __future__ import annotations

from pathlib import Path

import pytest

from abaca import conf as confmod
from abaca.common.errors import ConfigError, DriverError
from abaca.share import backend as backend_mod
from abaca.share.compute import netns

SERVER = "0f6c1f0e-2a4b-4c5d-8e9f-0123456789ab"


def test_names_come_from_the_server_id() -> None:
    assert netns.namespace_name(SERVER) == f"abaca-{SERVER}"
    assert netns.host_link_name(SERVER) == "av0f6c1f0e2a4b4"
    assert len(netns.host_link_name(SERVER)) <= 15  # Linux's interface name limit
    assert netns.server_id_of(f"abaca-{SERVER}") == SERVER
    assert netns.server_id_of("abaca-cli-1234") is None
    assert netns.server_id_of("other") is None


@pytest.mark.parametrize("bad", ["", "x", "../../etc", f"{SERVER} ", SERVER.upper(),
                                 "0f6c1f0e-2a4b-4c5d-8e9f-0123456789ab; reboot"])
def test_anything_but_a_uuid_is_refused(bad: str) -> None:
    with pytest.raises(DriverError):
        netns.namespace_name(bad)
    with pytest.raises(DriverError):
        netns.host_link_name(bad)


def test_the_mac_follows_the_address() -> None:
    assert netns.mac_address("198.18.5.10") == "02:ab:c6:12:05:0a"
    assert netns.mac_address("2001:db8::1:2") == "02:ab:00:01:00:02"
    assert netns.mac_address("198.18.5.10") != netns.mac_address("198.18.5.11")


@pytest.mark.parametrize("bridge", ["", "a-name-much-too-long", "br 0", "br/0", "-br"])
def test_a_bad_bridge_name_is_a_start_error(tmp_path: Path, bridge: str) -> None:
    path = tmp_path / "abaca.conf"
    path.write_text("\n".join([
        "[DEFAULT]", f"state_path = {tmp_path}", "enabled_share_backends = b1", "",
        "[b1]", "share_driver = local", "driver_handles_share_servers = true",
        "compute_helper = netns", "network_helper = standalone",
        "local_pool_type = directory",
        "standalone_network_plugin_allowed_ip_ranges = 198.18.0.0/24",
        f"netns_bridge = {bridge}"]) + "\n")
    conf = confmod.load(["--config-file", str(path)])
    with pytest.raises(ConfigError) as info:
        backend_mod.build(conf, "b1")
    assert "[b1] netns_bridge" in info.value.message
