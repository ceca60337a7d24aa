"""Nothing stuck, nothing lost: crashes, RabbitMQ and PostgreSQL outages (issue 7).

The three services run as processes over RabbitMQ and PostgreSQL with a dummy backend
whose driver calls take seconds, so operations are in flight when:

- the share service is killed with SIGKILL and started again: within 60 s no share,
  snapshot or rule is in a transitional state, each operation ended as it should (or in
  error with a user message), and ``abaca-manage reconcile history`` says what the
  reconciler did;
- RabbitMQ's application is stopped and started under load: while it is down the API
  answers requests that need the bus with 503 and Manila's body instead of hanging; the
  services reconnect by themselves and every operation ends available, deleted or in
  error with a message;
- PostgreSQL is stopped and started: 503 while it is down, then the same services
  (not restarted) work again.

RabbitMQ and PostgreSQL are always left running, whatever the outcome.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from tests.fixtures import services
from tests.fixtures.servers import dummy_backend, wait_until
from tests.integration.conftest import HOST, Deployment

pytestmark = pytest.mark.integration

TRANSITIONAL = {"creating", "creating_from_snapshot", "deleting", "extending", "shrinking",
                "reverting", "manage_starting", "unmanage_starting"}
FINAL_OK = {"available"}
RECONCILER = {"interval": 2, "stale_after": 6, "request_timeout": 25, "orphan_grace": 5}
SLOW = {"dummy_method_delays": "create_share:4,delete_share:4,extend_share:4,"
                               "create_snapshot:4,delete_snapshot:3,"
                               "snapshot_update_access:4"}
HEADERS = {"X-Auth-Token": "admin:demo", "X-OpenStack-Manila-API-Version": "2.65",
           "Content-Type": "application/json"}


def _in_transit(dep: Deployment) -> list[str]:
    return dep.manage("reconcile", "list").splitlines()[1:]


def _shares(mc: Any) -> dict[str, Any]:
    return {s.id: s for s in mc.shares.list(search_opts={"all_tenants": 1})}


def _settled(mc: Any, share_ids: list[str]) -> bool:
    shares = _shares(mc)
    snaps = mc.share_snapshots.list(search_opts={"all_tenants": 1})
    return (all(shares[i].status not in TRANSITIONAL for i in share_ids if i in shares)
            and all(s.status not in {"creating", "deleting", "restoring"} for s in snaps))


def _assert_ended_well(mc: Any, share_ids: list[str], deleted: set[str]) -> None:
    """Every share is available, gone (if it was being deleted) or in error with a
    user message."""
    shares = _shares(mc)
    for share_id in share_ids:
        if share_id not in shares:
            assert share_id in deleted, f"share {share_id} vanished"
            continue
        share = shares[share_id]
        if share.status in FINAL_OK:
            continue
        assert share.status.endswith("error") or "error" in share.status, share.status
        assert mc.messages.list(search_opts={"resource_id": share_id}), \
            f"share {share_id} is {share.status} without a user message"


@pytest.fixture
def recovery_deploy(deploy: Callable[..., Deployment]) -> Deployment:
    dep: Deployment = deploy({"backend1": dummy_backend(**SLOW)},
                             groups={"reconciler": RECONCILER})
    return dep


def test_sigkill_of_the_share_service_leaves_nothing_in_transit(
        recovery_deploy: Deployment) -> None:
    dep = recovery_deploy
    mc = dep.client("2.65")
    st = mc.share_types.create("snaps", spec_driver_handles_share_servers=False,
                               extra_specs={"snapshot_support": "True",
                                            "mount_snapshot_support": "True"})
    before = [mc.shares.create("NFS", 1, name=f"before-{i}", share_type=st.id).id
              for i in range(3)]
    wait_until(lambda: all(mc.shares.get(i).status == "available" for i in before),
               timeout=60, what="the first shares")
    mountable = mc.share_snapshots.create(before[2], name="mountable").id
    wait_until(lambda: mc.share_snapshots.get(mountable).status == "available",
               timeout=60, what="a mountable snapshot")
    # operations in flight: creates, a delete, an extend, a snapshot, access rules of a
    # share and of a snapshot
    new = [mc.shares.create("NFS", 1, name=f"new-{i}").id for i in range(4)]
    mc.shares.delete(before[0])
    mc.shares.extend(before[1], 3)
    snap = mc.share_snapshots.create(before[2], name="snap").id
    rule = mc.shares.allow(before[2], "ip", "198.18.5.0/24", "rw")["id"]
    snap_rule = mc.share_snapshots.allow(mountable, "ip", "198.18.6.7")["id"]
    time.sleep(2)  # the share service is in the middle of them
    dep.share.kill()
    in_transit = _in_transit(dep)
    assert len(in_transit) >= 5, in_transit  # left there by the crash

    dep.share.start()
    started = time.monotonic()
    wait_until(lambda: not _in_transit(dep), timeout=60, interval=1,
               what="nothing in a transitional state")
    assert time.monotonic() - started <= 60
    all_ids = before + new
    assert _settled(mc, all_ids)
    _assert_ended_well(mc, all_ids, deleted={before[0]})
    assert before[0] not in _shares(mc)
    extended = mc.shares.get(before[1])
    assert (extended.status, extended.size) in {("available", 3), ("extending_error", 1)}
    snapshot = mc.share_snapshots.get(snap)
    assert snapshot.status in {"available", "error"}
    rules = {r.id: r for r in mc.share_access_rules.access_list(before[2])}
    assert rules[rule].state in {"active", "error"}
    # the snapshot's rule was applied again (the dummy backend forgets its snapshot
    # exports when its process dies, so it may refuse it: error, with a user message)
    snap_rules = {r.id: r for r in mc.share_snapshots.access_list(mountable)}
    assert snap_rules[snap_rule].state in {"active", "error"}
    if snap_rules[snap_rule].state == "error":
        assert mc.messages.list(search_opts={"resource_id": mountable})
    # the reconciler wrote down what it did
    history = dep.manage("reconcile", "history")
    assert f"{HOST}@backend1" in history and ("redo" in history or "fail" in history), history
    assert f"snapshot_access_rule {snap_rule} requeue" in " ".join(history.split()), history
    # and the backend works on
    again = mc.shares.create("NFS", 1, name="after").id
    assert wait_until(lambda: mc.shares.get(again).status in {"available", "error"},
                      timeout=60) and mc.shares.get(again).status == "available"


@contextmanager
def _rabbit_down() -> Iterator[None]:
    subprocess.run(["rabbitmqctl", "-q", "stop_app"], check=True, timeout=120)
    try:
        yield
    finally:
        subprocess.run(["rabbitmqctl", "-q", "start_app"], check=True, timeout=120)
        wait_until(lambda: services.port_open(5672), timeout=60, what="RabbitMQ back")


@contextmanager
def _postgres_down() -> Iterator[None]:
    cluster = sorted(p for p in __import__("os").listdir("/etc/postgresql"))[-1]
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main", "stop"],
                   check=True, timeout=120)
    try:
        yield
    finally:
        subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", cluster, "main",
                        "start"], check=True, timeout=120)
        wait_until(lambda: services.port_open(5432), timeout=60, what="PostgreSQL back")


def _pools_known(dep: Deployment) -> bool:
    """The API reaches the scheduler again and it knows the backend's pool (a request
    sent while the bus came back may be lost: it times out, and we ask again)."""
    try:
        resp = requests.get(f"{dep.endpoint}/v2/scheduler-stats/pools", headers=HEADERS,
                            timeout=40)
    except requests.RequestException:
        return False
    return resp.status_code == 200 and bool(resp.json().get("pools"))


def _post_share(dep: Deployment, name: str) -> requests.Response:
    return requests.post(f"{dep.endpoint}/v2/shares", headers=HEADERS, timeout=60,
                         json={"share": {"share_proto": "NFS", "size": 1, "name": name}})


def test_rabbitmq_stopped_and_started_under_load(recovery_deploy: Deployment) -> None:
    dep = recovery_deploy
    mc = dep.client("2.65")
    ids = [mc.shares.create("NFS", 1, name=f"load-{i}").id for i in range(4)]
    wait_until(lambda: all(mc.shares.get(i).status != "creating" for i in ids[:1]),
               timeout=60, what="a first share")
    ids += [mc.shares.create("NFS", 1, name=f"load2-{i}").id for i in range(3)]
    mc.shares.delete(ids[0])
    with _rabbit_down():
        time.sleep(1)
        started = time.monotonic()
        resp = _post_share(dep, "while-down")
        elapsed = time.monotonic() - started
        assert resp.status_code == 503, (resp.status_code, resp.text)
        assert elapsed < 30, f"the API took {elapsed:.0f} s to answer"
        body = resp.json()
        assert body["serviceUnavailable"]["code"] == 503
        assert body["serviceUnavailable"]["message"]
        # a request that needs only the database still works
        listed = requests.get(f"{dep.endpoint}/v2/shares", headers=HEADERS, timeout=30)
        assert listed.status_code == 200
        down_id = next((s["id"] for s in listed.json()["shares"]
                        if s["name"] == "while-down"), None)
        if down_id:
            ids.append(down_id)
        time.sleep(4)
    # the services reconnect by themselves: no process was restarted
    assert all(p.alive() for p in dep.procs), dep.logs()
    wait_until(lambda: _pools_known(dep), timeout=120, interval=1, what="pools known")
    after = mc.shares.create("NFS", 1, name="after-bus").id
    ids.append(after)
    wait_until(lambda: _settled(mc, ids), timeout=90, interval=1, what="every operation ended")
    _assert_ended_well(mc, ids, deleted={ids[0]})
    assert mc.shares.get(after).status == "available", dep.logs()
    assert all(p.alive() for p in dep.procs)


def test_postgresql_stopped_and_started(recovery_deploy: Deployment) -> None:
    dep = recovery_deploy
    mc = dep.client("2.65")
    ids = [mc.shares.create("NFS", 1, name=f"pg-{i}").id for i in range(3)]
    time.sleep(1)
    with _postgres_down():
        resp = requests.get(f"{dep.endpoint}/v2/shares", headers=HEADERS, timeout=30)
        assert resp.status_code == 503, (resp.status_code, resp.text)
        assert resp.json()["serviceUnavailable"]["message"]
        created = _post_share(dep, "while-db-down")
        assert created.status_code == 503, created.text
        time.sleep(6)  # the drivers finish meanwhile; their results wait for the database
    assert all(p.alive() for p in dep.procs), dep.logs()
    wait_until(lambda: requests.get(f"{dep.endpoint}/v2/shares", headers=HEADERS,
                                    timeout=30).status_code == 200,
               timeout=60, what="the API back on the database")
    wait_until(lambda: _pools_known(dep), timeout=120, interval=1, what="pools known")
    after = mc.shares.create("NFS", 1, name="after-db").id
    ids.append(after)
    wait_until(lambda: _settled(mc, ids), timeout=90, interval=1, what="every operation ended")
    _assert_ended_well(mc, ids, deleted=set())
    assert mc.shares.get(after).status == "available", dep.logs()
    assert not _in_transit(dep)


def test_a_create_whose_share_service_stays_down_times_out(
        recovery_deploy: Deployment) -> None:
    """No share stays creating longer than [reconciler] request_timeout: here its share
    service dies in the middle and does not come back."""
    dep = recovery_deploy
    mc = dep.client("2.65")
    share_id = mc.shares.create("NFS", 1, name="orphaned-create").id
    wait_until(lambda: getattr(mc.shares.get(share_id), "host", None), timeout=30,
               interval=0.2, what="the share service took the create")
    dep.share.kill()
    created = time.monotonic()
    assert mc.shares.get(share_id).status == "creating"
    wait_until(lambda: mc.shares.get(share_id).status != "creating",
               timeout=RECONCILER["request_timeout"] + 30, interval=1,
               what="the create timed out")
    assert time.monotonic() - created <= RECONCILER["request_timeout"] + 30
    assert mc.shares.get(share_id).status == "error"
    (message,) = mc.messages.list(search_opts={"resource_id": share_id})
    assert message.detail_id == "091" and "not taken up in time" in message.user_message
    assert "timeout" in dep.manage("reconcile", "history", "--resource", share_id)
    # back again, the share service leaves it in error; it can be deleted
    dep.share.start()
    wait_until(lambda: _pools_known(dep), timeout=120, interval=1, what="pools known")
    assert mc.shares.get(share_id).status == "error"
    mc.shares.delete(share_id)
    wait_until(lambda: share_id not in _shares(mc), timeout=60, what="the share deleted")
