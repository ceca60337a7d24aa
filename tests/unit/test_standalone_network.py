"""The standalone network helper: pools from config or a subnet, contradictions refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from abaca import conf as confmod
from abaca.common.errors import ConfigError, Invalid
from abaca.share import backend as backend_mod
from abaca.share.network.base import AddressPoolExhausted, SubnetInfo
from abaca.share.network.standalone import StandaloneNetworkHelper, build_pool, validate_subnet

SUBNET = SubnetInfo(id="s1", share_network_id="n1")


def helper(tmp_path: Path, **options: Any) -> StandaloneNetworkHelper:
    lines = ["[DEFAULT]", f"state_path = {tmp_path}", "enabled_share_backends = b1", "",
             "[b1]", "share_driver = local", "driver_handles_share_servers = true",
             "compute_helper = netns", "network_helper = standalone",
             "local_pool_type = directory", *(f"{k} = {v}" for k, v in options.items())]
    path = tmp_path / "abaca.conf"
    path.write_text("\n".join(lines) + "\n")
    conf = confmod.load(["--config-file", str(path)])
    network = backend_mod.build(conf, "b1").network
    assert isinstance(network, StandaloneNetworkHelper)
    return network


def test_gateway_and_mask_with_ranges_and_single_addresses(tmp_path: Path) -> None:
    net = helper(tmp_path, standalone_network_plugin_gateway="198.18.5.1",
                 standalone_network_plugin_mask="255.255.255.0",
                 standalone_network_plugin_allowed_ip_ranges=(
                     "198.18.5.10-198.18.5.11, 198.18.5.20, 198.18.5.0/30"),
                 standalone_network_plugin_mtu="1400")
    info = net.network_for(SUBNET)
    assert (info.cidr, info.gateway, info.mtu, info.network_type, info.segmentation_id) == \
        ("198.18.5.0/24", "198.18.5.1", 1400, "flat", None)
    # the network address and the gateway are never handed out
    assert list(net.pool.addresses()) == ["198.18.5.2", "198.18.5.3", "198.18.5.10",
                                          "198.18.5.11", "198.18.5.20"]
    got = net.allocate_network(SUBNET, taken={"198.18.5.2", "198.18.5.10"}, count=2)
    assert [a.ip_address for a in got] == ["198.18.5.3", "198.18.5.11"]


def test_exhausted_pool_says_so(tmp_path: Path) -> None:
    net = helper(tmp_path, standalone_network_plugin_allowed_ip_ranges="198.18.6.0/30")
    assert [a.ip_address for a in net.allocate_network(SUBNET, taken=[])] == ["198.18.6.1"]
    with pytest.raises(AddressPoolExhausted) as info:
        net.allocate_network(SUBNET, taken=["198.18.6.1", "198.18.6.2"])
    assert "no free address" in info.value.message


def test_vlan_is_recorded(tmp_path: Path) -> None:
    net = helper(tmp_path, standalone_network_plugin_allowed_ip_ranges="198.18.7.0/29",
                 standalone_network_plugin_network_type="vlan",
                 standalone_network_plugin_segmentation_id="42")
    info = net.network_for(SUBNET)
    assert (info.network_type, info.segmentation_id) == ("vlan", 42)


@pytest.mark.parametrize(("options", "expected"), [
    ({}, "the network is unknown"),
    ({"standalone_network_plugin_gateway": "198.18.0.1",
      "standalone_network_plugin_mask": "24",
      "standalone_network_plugin_allowed_ip_ranges": "198.18.1.5"}, "outside the network"),
    ({"standalone_network_plugin_gateway": "198.19.0.1",
      "standalone_network_plugin_allowed_ip_ranges": "198.18.0.0/24"}, "gateway 198.19.0.1"),
    ({"standalone_network_plugin_allowed_ip_ranges": "198.18.0.9-198.18.0.3",
      "standalone_network_plugin_gateway": "198.18.0.1",
      "standalone_network_plugin_mask": "24"}, "must not be above its end"),
    ({"standalone_network_plugin_allowed_ip_ranges": "198.18.0.0/24",
      "standalone_network_plugin_network_type": "vlan"}, "needs a segmentation id"),
    ({"standalone_network_plugin_allowed_ip_ranges": "198.18.0.0/24",
      "standalone_network_plugin_segmentation_id": "7"}, "flat network has no segmentation"),
    ({"standalone_network_plugin_allowed_ip_ranges": "198.18.0.0/25, ::1",
      "standalone_network_plugin_gateway": "198.18.0.1",
      "standalone_network_plugin_mask": "24"}, "outside the network"),
    ({"standalone_network_plugin_allowed_ip_ranges": "198.18.0.0/24",
      "standalone_network_plugin_gateway": "not-an-ip"}, "not an IP address"),
    ({"standalone_network_plugin_allowed_ip_ranges": "198.18.0.0/32",
      "standalone_network_plugin_gateway": "198.18.0.0"}, "no address"),
])
def test_contradictory_config_is_a_start_error(tmp_path: Path, options: dict[str, str],
                                               expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        helper(tmp_path, **options)
    assert "[b1] standalone network helper" in info.value.message
    assert expected in info.value.message


def test_a_subnet_with_a_cidr_brings_its_own_network(tmp_path: Path) -> None:
    net = helper(tmp_path, standalone_network_plugin_allowed_ip_ranges="198.18.0.0/24")
    subnet = SubnetInfo(id="s2", share_network_id="n2", cidr="198.18.9.0/29",
                        gateway="198.18.9.1", mtu=9000)
    info = net.network_for(subnet)
    assert (info.cidr, info.gateway, info.mtu) == ("198.18.9.0/29", "198.18.9.1", 9000)
    assert [a.ip_address for a in net.allocate_network(subnet, taken=[], count=5)] == \
        [f"198.18.9.{i}" for i in range(2, 7)]
    with pytest.raises(AddressPoolExhausted):
        net.allocate_network(subnet, taken=["198.18.9.2"], count=5)
    # a subnet showing the configured network (recorded there by the share service)
    # keeps the configured pool
    same = SubnetInfo(id="s4", share_network_id="n4", cidr="198.18.0.0/24")
    assert net.pool_for(same) is net.pool
    # an admin's ranges inside the subnet's cidr are its pool
    ranged = SubnetInfo(id="s6", share_network_id="n6", cidr="198.18.9.0/29",
                        gateway="198.18.9.1",
                        allowed_ip_ranges=("198.18.9.5", "198.18.9.1-198.18.9.2"))
    assert [a.ip_address for a in net.allocate_network(ranged, taken=[], count=2)] == \
        ["198.18.9.2", "198.18.9.5"]
    # the configured network with a gateway of its own is an admin's choice: its own pool
    gated = SubnetInfo(id="s5", share_network_id="n5", cidr="198.18.0.0/24",
                       gateway="198.18.0.254")
    assert net.network_for(gated).gateway == "198.18.0.254"
    assert "198.18.0.254" not in net.pool_for(gated)
    bad = SubnetInfo(id="s3", share_network_id="n3", cidr="198.18.9.0/29",
                     gateway="198.18.10.1")
    with pytest.raises(Invalid):
        net.network_for(bad)


@pytest.mark.parametrize(("values", "expected"), [
    ({"cidr": "198.18.0.0/24", "gateway": "198.18.1.1"}, "outside the network"),
    ({"cidr": "198.18.0.0/24", "network_type": "vlan"}, "segmentation id"),
    ({"cidr": "198.18.0.0/24", "network_type": "gre"}, "network type 'gre'"),
    ({"cidr": "198.18.0.0/24", "mtu": 20}, "MTU 20"),
    ({"cidr": "nonsense"}, "is not a network"),
    ({"gateway": "198.18.0.1"}, "need the subnet's cidr"),
    ({"mtu": 9000}, "need the subnet's cidr"),
    ({"cidr": "198.18.0.5/29"}, "host bits set: the network is 198.18.0.0/29"),
    ({"cidr": "198.18.0.0/24", "ip_version": 6}, "IP version 6 does not match"),
    ({"cidr": "198.18.0.0/32"}, "no address of 198.18.0.0/32 is left"),
    ({"cidr": "198.18.0.0/29", "allowed_ip_ranges": ["198.18.0.5-198.18.0.9"]},
     "outside the network"),
    ({"cidr": "198.18.0.0/29", "allowed_ip_ranges": ["198.18.0.6-198.18.0.3"]},
     "start must not be above its end"),
    ({"cidr": "198.18.0.0/29", "gateway": "198.18.0.1",
      "allowed_ip_ranges": ["198.18.0.1"]}, "no address of 198.18.0.0/29 is left"),
    ({"allowed_ip_ranges": ["198.18.0.2"]}, "need the subnet's cidr"),
])
def test_subnet_validation_for_the_api(values: dict[str, Any], expected: str) -> None:
    args: dict[str, Any] = {"cidr": None, "gateway": None, "mtu": None, "network_type": None,
                            "segmentation_id": None, **values}
    with pytest.raises(Invalid) as info:
        validate_subnet(**args)
    assert info.value.code == 400
    assert expected in info.value.message


def test_a_valid_subnet_passes() -> None:
    network = validate_subnet(cidr="198.18.0.0/24", gateway="198.18.0.1", mtu=1500,
                              network_type="vlan", segmentation_id=100, ip_version=4)
    assert network is not None
    assert (network.cidr, network.gateway, network.segmentation_id) == \
        ("198.18.0.0/24", "198.18.0.1", 100)
    validate_subnet(cidr=None, gateway=None, mtu=None, network_type=None,
                    segmentation_id=None)


def test_ipv6_pool() -> None:
    pool = build_pool(cidr="2001:db8::/126", gateway="2001:db8::1")
    assert list(pool.addresses()) == ["2001:db8::2", "2001:db8::3"]
