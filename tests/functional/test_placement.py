"""Placement across three dummy backends of different capabilities, capacities and
availability zones; extend checked against the pool's free capacity."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import servers

BACKENDS = {
    # small, fast, zone-a
    "ssd_a": servers.dummy_backend("p:100", dummy_capabilities="disk_type:ssd",
                                   backend_availability_zone="zone-a"),
    # large, slow, zone-b
    "hdd_b": servers.dummy_backend("p:2000", dummy_capabilities="disk_type:hdd",
                                   backend_availability_zone="zone-b"),
    # medium, fast, zone-b, thin
    "ssd_b": servers.dummy_backend("p:500", dummy_capabilities="disk_type:ssd",
                                   backend_availability_zone="zone-b",
                                   dummy_thin_provisioning=True,
                                   dummy_max_over_subscription_ratio=2.0),
    # tiny: for extend checks
    "tiny": servers.dummy_backend("p:10", dummy_capabilities="disk_type:tiny",
                                  backend_availability_zone="zone-c"),
}


@pytest.fixture(scope="module")
def mc(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    tmp: Path = tmp_path_factory.mktemp("placement")
    unlimited = {"quota": {"shares": -1, "gigabytes": -1}}
    with servers.all_in_one(tmp, BACKENDS, unlimited) as (url, _proc):
        servers.wait_for_pools(url, 4)
        client = servers.manila(url, "2.45")
        for name, specs in {
            "ssd": {"disk_type": "ssd"},
            "hdd": {"disk_type": "hdd"},
            "ssd-zone-a": {"disk_type": "ssd", "availability_zones": "zone-a"},
            "thin-ssd": {"disk_type": "ssd", "thin_provisioning": "<is> True"},
            "tiny": {"disk_type": "tiny"},
        }.items():
            client.share_types.create(name, spec_driver_handles_share_servers=False,
                                      extra_specs=specs)
        yield client


def _backend(mc: Any, share_type: str, size: int = 1, **kw: Any) -> str:
    share = servers.wait_for_status(mc, mc.shares.create("NFS", size, share_type=share_type,
                                                         **kw).id)
    assert share.status == "available", share.status
    return str(share.host).partition("@")[2].partition("#")[0]


def test_share_types_choose_backends(mc: Any) -> None:
    # ssd: both ssd backends fit; the one with more free room wins
    assert _backend(mc, "ssd") == "ssd_b"
    assert _backend(mc, "hdd") == "hdd_b"
    # the type's availability_zones leaves only zone-a
    assert _backend(mc, "ssd-zone-a") == "ssd_a"
    assert _backend(mc, "thin-ssd") == "ssd_b"


def test_requested_zone_and_size_narrow_the_choice(mc: Any) -> None:
    assert _backend(mc, "ssd", availability_zone="zone-a") == "ssd_a"
    # 600 GiB of ssd: thick ssd_a (100) cannot, thin ssd_b (500 x 2.0) can
    assert _backend(mc, "ssd", size=600) == "ssd_b"
    too_big = servers.wait_for_status(mc, mc.shares.create("NFS", 1500, share_type="ssd").id)
    assert too_big.status == "error"
    assert [m.detail_id for m in mc.messages.list() if m.resource_id == too_big.id] == ["004"]


def test_extend_is_checked_against_the_pool(mc: Any) -> None:
    share = servers.wait_for_status(mc, mc.shares.create("NFS", 8, share_type="tiny").id)
    assert share.host.endswith("@tiny#p")
    mc.shares.extend(share, 12)  # 4 more GiB on a 10 GiB pool holding 8: no room
    refused = servers.wait_until(
        lambda: [m for m in mc.messages.list() if m.resource_id == share.id
                 and m.action_id == "004"], what="extend refused")
    assert refused[0].detail_id == "014"
    share = servers.wait_for_status(mc, share.id)
    assert (share.status, share.size) == ("available", 8)
    mc.shares.extend(share, 9)  # 1 more GiB fits
    servers.wait_until(lambda: mc.shares.get(share.id).size == 9, what="extended")
    assert mc.shares.get(share.id).status == "available"


def test_filter_and_goodness_functions_from_backend_config(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    backends = {
        "small_only": servers.dummy_backend(
            "p:1000", dummy_capabilities="tier:x", filter_function="share.size <= 5",
            goodness_function="100"),
        "any_size": servers.dummy_backend("p:1000", dummy_capabilities="tier:x",
                                          goodness_function="10"),
    }
    with servers.all_in_one(tmp_path_factory.mktemp("functions"), backends) as (url, _):
        servers.wait_for_pools(url, 2)
        client = servers.manila(url, "2.45")
        client.share_types.create("x", spec_driver_handles_share_servers=False,
                                  extra_specs={"tier": "x"})
        # equal capacity: goodness decides small shares; the filter keeps big ones off
        assert _backend(client, "x", size=2) == "small_only"
        assert _backend(client, "x", size=8) == "any_size"
        pools = {p.name: p.capabilities for p in client.pools.list(detailed=True)}
        assert pools["testhost@small_only#p"]["filter_function"] == "share.size <= 5"
