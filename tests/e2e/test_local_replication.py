"""Replication between two local backends, end to end: btrfs send | receive, each
backend with its own NFS-Ganesha, a real NFS client reading and writing."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from abaca.share.drivers.local.btrfs import BtrfsPool
from tests.e2e import local_backend as lb
from tests.fixtures import servers

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(os.geteuid() != 0, reason="needs root")]
TYPE = "local-readable"


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("local-replication")
    ports = {"east": servers.free_port(), "west": servers.free_port()}
    backends = {name: lb.local_backend(tmp, port, servers.free_port(), "NFS",
                                       local_loop_size_gb=4,
                                       local_replication_domain="here",
                                       backend_availability_zone=f"zone-{name}")
                for name, port in ports.items()}
    groups = {"DEFAULT": {"replica_state_update_interval": 3600}}  # updates on resync
    with lb.local_all_in_one(tmp, backends, groups) as (url, proc):
        servers.wait_for_pools(url, 2)
        mc = servers.manila(url, "2.56")
        mc.share_types.create(TYPE, spec_driver_handles_share_servers=False,
                              extra_specs={"replication_type": "readable"})
        yield {"mc": mc, "ports": ports, "proc": proc, "state": tmp / "state"}
        log = proc.log.read_text(errors="replace")
    assert "Traceback" not in log, log[-3000:]


def _replica(mc: Any, replica_id: str, state: str) -> Any:
    def done() -> Any:
        rep = mc.share_replicas.get(replica_id)
        assert rep.status != "error", rep
        return rep if rep.status == "available" and rep.replica_state == state else None

    return servers.wait_until(done, timeout=120, what=f"replica {replica_id} {state}")


def _name(mc: Any, replica_id: str) -> str:
    (el,) = mc.share_replica_export_locations.list(replica_id)
    return str(el.path).rsplit("/", 1)[-1]


def test_readable_replica_follows_and_takes_over(deployment: dict[str, Any]) -> None:
    mc, ports = deployment["mc"], deployment["ports"]
    share = servers.wait_for_status(mc, mc.shares.create(
        "NFS", 1, share_type=TYPE, availability_zone="zone-east").id, timeout=120)
    assert share.status == "available", share
    mc.shares.allow(share, "ip", "127.0.0.1", "rw")
    servers.wait_until(lambda: mc.shares.get(share.id).access_rules_status == "active",
                       what="rule active")
    (first,) = mc.share_replicas.list(share)
    east = _name(mc, first.id)
    assert lb.nfs_write(ports["east"], east, "a.txt", b"written before the replica\n")

    rep = mc.share_replicas.create(share, availability_zone="zone-west")
    _replica(mc, rep.id, "in_sync")
    west = _name(mc, rep.id)
    # the replica holds the data, read-only
    assert lb.nfs_read(ports["west"], west, "a.txt") == b"written before the replica\n"
    assert not lb.nfs_write(ports["west"], west, "no.txt", b"refused")

    # a resync sends what changed since (incrementally)
    assert lb.nfs_write(ports["east"], east, "b.txt", b"written after\n")
    mc.share_replicas.reset_replica_state(rep.id, "out_of_sync")
    mc.share_replicas.resync(rep.id)
    _replica(mc, rep.id, "in_sync")
    assert lb.nfs_read(ports["west"], west, "b.txt") == b"written after\n"

    # extended, the share's replica gets the new limit at its next update
    mc.shares.extend(share, 2)
    servers.wait_until(lambda: mc.shares.get(share.id).size == 2, timeout=60,
                       what="extended")
    west_pool = BtrfsPool(deployment["state"] / "local" / "west" / "mnt")
    assert west_pool.size_gb(west) == 1
    mc.share_replicas.reset_replica_state(rep.id, "out_of_sync")
    mc.share_replicas.resync(rep.id)
    _replica(mc, rep.id, "in_sync")
    assert west_pool.size_gb(west) == 2

    # promoted, the replica takes writes; the old active one follows it, read-only
    mc.share_replicas.promote(rep.id)
    _replica(mc, rep.id, "active")
    servers.wait_until(lambda: lb.nfs_write(ports["west"], west, "c.txt", b"new active\n"),
                       timeout=60, what="writes on the promoted replica")
    servers.wait_until(lambda: not lb.nfs_write(ports["east"], east, "d.txt", b"x"),
                       timeout=60, what="the old active replica read-only")
    mc.share_replicas.resync(first.id)
    _replica(mc, first.id, "in_sync")
    assert lb.nfs_read(ports["east"], east, "c.txt") == b"new active\n"
    assert lb.nfs_read(ports["east"], east, "a.txt") == b"written before the replica\n"

    mc.share_replicas.delete(first.id)
    servers.wait_until(lambda: len(mc.share_replicas.list(share)) == 1, timeout=60,
                       what="old replica deleted")
    assert not lb.nfs_reachable(ports["east"], east)
    mc.shares.delete(share)
    servers.wait_until(lambda: not mc.shares.list(), timeout=60, what="share deleted")
