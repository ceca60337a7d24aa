"""Replication between ``local`` backends of one share service: ``btrfs send | receive``.

Backends with the same ``local_replication_domain`` keep replicas of each other's
shares. Every backend of a share service runs in its process, so a backend finds the
pool of another replica's backend in ``PEERS`` (by backend name, from the replica's
``host@backend#pool``); backends of other hosts are out of reach.

A replica is a share of its own pool (``shares/<name>``), a writable copy of the last
read-only snapshot received from the active replica (``snapshots/replica-<id>-<n>``,
kept as the parent of the next incremental send; the active side keeps its twin). An
update sends a new snapshot (incrementally when both sides still hold the parent),
then swaps the replica's tree for a copy of it and serves it again with the rules it
had. Promoting a replica serves it with the share's rules; the old active one turns
into a replica at its next update (a full send, the other way).
"""

from __future__ import annotations

import contextlib
import logging
import subprocess
import tempfile
import threading
from collections.abc import Callable, Sequence
from typing import Protocol

from abaca.share.driver_api import (
    AccessRule,
    DriverError,
    ReplicaResult,
    ShareRequest,
    ShareResult,
    ShrinkWouldLoseData,
)
from abaca.share.drivers.local.btrfs import BtrfsPool
from abaca.share.drivers.local.pool import StoragePool

LOG = logging.getLogger(__name__)
SEND_TIMEOUT = 3600.0


class Replicating(Protocol):
    """What replication needs of a local driver."""

    pool: StoragePool

    def publish_replica(self, share: ShareRequest, rules: Sequence[AccessRule]) -> None: ...

    def unpublish_replica(self, share: ShareRequest) -> None: ...

    def served_rules(self, share: ShareRequest) -> list[AccessRule]: ...

    def locations_of(self, share: ShareRequest) -> ShareResult: ...


PEERS: dict[str, Replicating] = {}
_PEERS_LOCK = threading.Lock()


def register(backend: str, driver: Replicating) -> None:
    with _PEERS_LOCK:
        PEERS[backend] = driver


def unregister(backend: str, driver: Replicating) -> None:
    with _PEERS_LOCK:
        if PEERS.get(backend) is driver:
            del PEERS[backend]


def peer(share: ShareRequest) -> Replicating:
    """The local driver of the backend holding ``share`` (another replica)."""
    backend = share.host.partition("#")[0].partition("@")[2]
    with _PEERS_LOCK:
        found = PEERS.get(backend)
    if found is None:
        raise DriverError(f"The backend of replica {share.instance_id} ({backend or '?'}) "
                          "is not a local backend of this share service.")
    return found


def btrfs_pool(driver: Replicating) -> BtrfsPool:
    if not isinstance(driver.pool, BtrfsPool):
        raise DriverError("Replication needs btrfs pools on both backends.")
    return driver.pool


def _prefix(replica_id: str) -> str:
    return f"replica-{replica_id}-"


def received(pool: BtrfsPool, replica_id: str) -> list[str]:
    """The replica's snapshots in ``pool``, oldest first."""
    prefix = _prefix(replica_id)
    found = []
    if pool.snapshots_dir.is_dir():
        for path in pool.snapshots_dir.iterdir():
            tail = path.name.removeprefix(prefix)
            if path.name.startswith(prefix) and tail.isdigit():
                found.append((int(tail), path.name))
    return [name for _, name in sorted(found)]


def transfer(source: BtrfsPool, snap: str, parent: str | None, target: BtrfsPool) -> None:
    """``btrfs send [-p parent] snap | btrfs receive`` into the target's snapshots."""
    if target.snapshot_exists(snap):  # an earlier, interrupted receive
        target.delete_snapshot(snap)
    send_args = ["btrfs", "send", "-q"]
    if parent is not None:
        send_args += ["-p", str(source.snapshot_path(parent))]
    send_args.append(str(source.snapshot_path(snap)))
    with tempfile.TemporaryFile() as send_err:
        sender = subprocess.Popen(send_args, stdout=subprocess.PIPE, stderr=send_err)
        assert sender.stdout is not None
        try:
            receiver = subprocess.run(
                ["btrfs", "receive", str(target.snapshots_dir)], stdin=sender.stdout,
                capture_output=True, timeout=SEND_TIMEOUT, check=False)
        finally:
            sender.stdout.close()
            sent = sender.wait(SEND_TIMEOUT)
        send_err.seek(0)
        problems = send_err.read().decode(errors="replace").strip()
    if sent != 0 or receiver.returncode != 0:
        problems += " " + receiver.stderr.decode(errors="replace").strip()
        if target.snapshot_exists(snap):
            target.delete_snapshot(snap)
        raise DriverError(f"Copying the replica failed: {problems.strip()[-300:]}")


def _next_name(replica_id: str, *pools: BtrfsPool) -> str:
    numbers = [int(name.rsplit("-", 1)[1]) for pool in pools
               for name in received(pool, replica_id)]
    return f"{_prefix(replica_id)}{max(numbers, default=0) + 1}"


def _forget(pool: BtrfsPool, replica_id: str, keep: str | None = None) -> None:
    for name in received(pool, replica_id):
        if name != keep:
            pool.delete_snapshot(name)


def create(me: Replicating, active: ShareRequest, replica: ShareRequest,
           rules: Sequence[AccessRule]) -> ReplicaResult:
    source, target = btrfs_pool(peer(active)), btrfs_pool(me)
    snap = _next_name(replica.instance_id, source, target)
    source.snapshot(active.name, snap)
    transfer(source, snap, None, target)
    target.clone(snap, replica.name, replica.size)
    me.publish_replica(replica, rules)
    return ReplicaResult(replica_state="in_sync",
                         export_locations=me.locations_of(replica).export_locations)


def update(me: Replicating, active: ShareRequest, replica: ShareRequest) -> str:
    source, target = btrfs_pool(peer(active)), btrfs_pool(me)
    have = received(target, replica.instance_id)
    parent = have[-1] if have and source.snapshot_exists(have[-1]) else None
    snap = _next_name(replica.instance_id, source, target)
    source.snapshot(active.name, snap)
    try:
        transfer(source, snap, parent, target)
    except DriverError:
        source.delete_snapshot(snap)
        raise
    rules = me.served_rules(replica)
    if target.exists(replica.name):
        me.unpublish_replica(replica)
        target.revert(replica.name, snap)  # a writable copy of it, same size
        _follow_size(target, replica)
    else:
        target.clone(snap, replica.name, replica.size)
    me.publish_replica(replica, rules)
    _forget(source, replica.instance_id, keep=snap)
    _forget(target, replica.instance_id, keep=snap)
    return "in_sync"


def _follow_size(pool: BtrfsPool, replica: ShareRequest) -> None:
    """The share was extended or shrunk since: the replica's limit follows."""
    if pool.size_gb(replica.name) == replica.size:
        return
    try:
        pool.resize(replica.name, replica.size)
    except ShrinkWouldLoseData:
        LOG.warning("replica %s holds more than %s GiB; its limit stays",
                    replica.instance_id, replica.size)


def delete(me: Replicating, active: ShareRequest | None, replica: ShareRequest,
           remove_share: Callable[[ShareRequest], None]) -> None:
    remove_share(replica)
    if isinstance(me.pool, BtrfsPool):
        _forget(me.pool, replica.instance_id)
    if active is not None:
        try:
            source = btrfs_pool(peer(active))
        except DriverError:
            return  # its backend keeps a snapshot until it is cleaned by hand
        _forget(source, replica.instance_id)


def promote(me: Replicating, old_active: ShareRequest, replica: ShareRequest,
            rules: Sequence[AccessRule]) -> ReplicaResult:
    try:  # take what the old active replica has, if it still answers
        update(me, old_active, replica)
    except Exception:
        LOG.warning("replica %s: promoting without a final update from %s",
                    replica.instance_id, old_active.instance_id, exc_info=True)
    target = btrfs_pool(me)
    if not target.exists(replica.name):
        raise DriverError(f"Replica {replica.instance_id} has no data on this backend.")
    _follow_size(target, replica)
    me.publish_replica(replica, rules)
    _forget(target, replica.instance_id)
    with contextlib.suppress(DriverError):
        _forget(btrfs_pool(peer(old_active)), replica.instance_id)
    return ReplicaResult(replica_state="active",
                         export_locations=me.locations_of(replica).export_locations)
