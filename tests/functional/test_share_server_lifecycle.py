"""The share service's side of share servers, through the API with python-manilaclient:
the dummy driver with DHSS=True, the fake compute helper and the standalone network
helper (no root, no namespaces; tests/e2e/test_share_servers.py runs the real ones)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from manilaclient import exceptions as mc_exc

from tests.fixtures import servers

POOL = {"standalone_network_plugin_gateway": "198.18.3.1",
        "standalone_network_plugin_mask": "24",
        "standalone_network_plugin_allowed_ip_ranges": "198.18.3.10-198.18.3.11"}


def backend(**extra: Any) -> dict[str, Any]:
    return {"share_driver": "dummy", "driver_handles_share_servers": True,
            "compute_helper": "fake", "network_helper": "standalone", **POOL, **extra}


@pytest.fixture
def deployment(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    extra = getattr(request, "param", {})
    with servers.all_in_one(tmp_path, {"b1": backend(**extra)}) as (url, _proc):
        servers.wait_for_pools(url, 1)
        mc = servers.manila(url, "2.51")
        mc.share_types.create("dhss", True)
        yield mc


def _share(mc: Any, network: Any, status: str = "available") -> Any:
    share = mc.shares.create("NFS", 1, share_network=network.id, share_type="dhss")
    share = servers.wait_for_status(mc, share.id, (status,))
    assert share.status == status
    return share


def _details(mc: Any, server: Any) -> dict[str, str]:
    return dict(mc.share_servers.details(server)._info)


def _servers(mc: Any, status: str = "active") -> list[Any]:
    return [s for s in mc.share_servers.list() if s.status == status]


@pytest.mark.parametrize("deployment", [{"automatic_share_server_cleanup": False}],
                         indirect=True)
def test_one_server_per_network_reused_deleted_and_its_address_reused(deployment: Any) -> None:
    mc = deployment
    network = mc.share_networks.create(name="n1")
    first, second = _share(mc, network), _share(mc, network)
    (server,) = _servers(mc)
    assert {first.share_server_id, second.share_server_id} == {server.id}
    assert server.share_network_id == network.id
    assert server.host == "testhost@b1"
    # exports name the server's address, the first of the pool
    assert mc.share_export_locations.list(first)[0].path.startswith("198.18.3.10:")
    details = _details(mc, server)
    # the subnet shows the network its servers use, as Manila's plugins record it
    (subnet,) = mc.share_networks.get(network.id).share_network_subnets
    assert (subnet["cidr"], subnet["gateway"], subnet["mtu"], subnet["network_type"]) == \
        ("198.18.3.0/24", "198.18.3.1", 1500, "flat")
    assert details["dummy_export_address"] == "198.18.3.10"
    assert details["fake_network"] == "198.18.3.0/24"

    # a server that shares use is not deleted; without the cleanup it outlives them
    with pytest.raises(mc_exc.ClientException):
        mc.share_servers.delete(server)
    for share in (first, second):
        mc.shares.delete(share)
    servers.wait_until(lambda: not mc.shares.list(), what="shares deleted")
    assert [s.id for s in _servers(mc)] == [server.id]
    mc.share_servers.delete(server)
    servers.wait_until(lambda: server.id not in {s.id for s in mc.share_servers.list()},
                       what="server deleted")
    # its address went back to the pool: the next server gets it again
    third = _share(mc, network)
    assert third.share_server_id != server.id
    assert mc.share_export_locations.list(third)[0].path.startswith("198.18.3.10:")


@pytest.mark.parametrize("deployment", [{"unused_share_server_cleanup_interval": 0}],
                         indirect=True)
def test_the_cleanup_removes_a_server_once_its_last_share_is_gone(deployment: Any) -> None:
    mc = deployment
    network = mc.share_networks.create(name="n1")
    share = _share(mc, network)
    assert len(_servers(mc)) == 1
    mc.shares.delete(share)
    servers.wait_until(lambda: not mc.share_servers.list(), timeout=30,
                       what="the unused server removed by the periodic cleanup")


@pytest.mark.parametrize("deployment", [{"unused_share_server_cleanup_interval": 5}],
                         indirect=True)
def test_the_cleanup_waits_for_the_interval(deployment: Any) -> None:
    mc = deployment
    network = mc.share_networks.create(name="n1")
    share = _share(mc, network)
    mc.shares.delete(share)
    servers.wait_until(lambda: not mc.shares.list(), what="share deleted")
    time.sleep(6)  # three periodic runs: the server is younger than 5 minutes
    assert len(_servers(mc)) == 1


def test_an_exhausted_pool_gives_error_and_a_message(deployment: Any) -> None:
    mc = deployment
    for name in ("n1", "n2"):
        _share(mc, mc.share_networks.create(name=name))
    third = _share(mc, mc.share_networks.create(name="n3"), status="error")
    messages = [m for m in mc.messages.list() if m.resource_id == third.id]
    assert len(messages) == 1
    assert messages[0].detail_id == "070"
    assert "no free address left" in messages[0].user_message
    assert len(_servers(mc)) == 2  # no half-made third server
    assert not _servers(mc, "error") and not _servers(mc, "creating")


@pytest.mark.parametrize("deployment", [{"fake_fail_create": True}], indirect=True)
def test_a_server_that_cannot_be_made_is_error_and_so_is_the_share(deployment: Any) -> None:
    mc = deployment
    share = _share(mc, mc.share_networks.create(name="n1"), status="error")
    messages = [m for m in mc.messages.list() if m.resource_id == share.id]
    assert messages and messages[0].detail_id == "003"
    (server,) = _servers(mc, "error")
    assert server.share_network_id == share.share_network_id


@pytest.mark.parametrize("deployment", [{"automatic_share_server_cleanup": False}],
                         indirect=True)
def test_unmanage_then_manage_a_server(deployment: Any) -> None:
    mc = deployment
    network = mc.share_networks.create(name="n1")
    share = _share(mc, network)
    (server,) = _servers(mc)
    mc.shares.delete(share)
    servers.wait_until(lambda: not mc.shares.list(), what="share deleted")
    mc.share_servers.unmanage(server)
    servers.wait_until(lambda: server.id not in {s.id for s in mc.share_servers.list()},
                       what="server unmanaged")
    managed = mc.share_servers.manage("testhost@b1", network.id, "adopted")
    servers.wait_until(lambda: mc.share_servers.get(managed.id).status == "active",
                       what="managed server active")
    # it got the address the unmanaged one gave back, and serves the network's shares
    assert _details(mc, managed)["dummy_export_address"] == "198.18.3.10"
    again = _share(mc, network)
    assert again.share_server_id == managed.id


def test_a_restart_finishes_what_a_crash_left(tmp_path: Path) -> None:
    """Servers a crash left 'creating' or 'deleting' (set here with reset_status) are
    made or deleted when the share service starts again."""
    backends = {"b1": backend(automatic_share_server_cleanup=False)}
    with servers.all_in_one(tmp_path, backends) as (url, _proc):
        servers.wait_for_pools(url, 1)
        mc = servers.manila(url, "2.51")
        mc.share_types.create("dhss", True)
        kept_net, gone_net = (mc.share_networks.create(name=n) for n in ("kept", "gone"))
        kept_share = _share(mc, kept_net)
        gone_share = _share(mc, gone_net)
        gone_addr = mc.share_export_locations.list(gone_share)[0].path.split(":")[0]
        mc.shares.delete(gone_share)
        servers.wait_until(lambda: len(mc.shares.list()) == 1, what="share deleted")
        kept = mc.share_servers.get(kept_share.share_server_id)
        gone = mc.share_servers.get(gone_share.share_server_id)
        mc.share_servers.reset_state(kept, "creating")
        mc.share_servers.reset_state(gone, "deleting")
    with servers.all_in_one(tmp_path, backends) as (url, _proc):
        servers.wait_for_pools(url, 1)
        mc = servers.manila(url, "2.51")
        assert mc.share_servers.get(kept.id).status == "active"
        assert gone.id not in {s.id for s in mc.share_servers.list()}
        # the kept server takes new shares; the deleted one's address (the pool's last)
        # is free again for a new server
        assert _share(mc, kept_net).share_server_id == kept.id
        new_path = mc.share_export_locations.list(_share(mc, gone_net))[0].path
        assert new_path.split(":")[0] == gone_addr
