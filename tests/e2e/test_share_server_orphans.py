"""A share server no row owns is found and removed by the reconciler after its grace
period: the namespace with its Ganesha and smbd left behind when the share service died
between deleting the server's rows and tearing the server down. A namespace on another
bridge (another deployment's) is never touched.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.share_server_env import Env, ip, our_namespaces
from tests.fixtures import servers

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(os.geteuid() != 0, reason="needs root")]


@pytest.fixture
def env() -> Iterator[Env]:
    for tool in ("ip", "nsenter", "ganesha.nfsd", "smbd"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    tmp = Path(tempfile.mkdtemp(prefix="abor-", dir="/tmp"))
    environment = Env(tmp, groups={"reconciler": {"interval": 1, "orphan_grace": 3}})
    try:
        yield environment
    finally:
        environment.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture
def foreign_namespace() -> Iterator[str]:
    """An abaca-<uuid> namespace with a process in it, on no bridge of ours."""
    name = f"abaca-{uuid.uuid4()}"
    ip("netns", "add", name)
    sleeper = subprocess.Popen(["ip", "netns", "exec", name, "sleep", "600"])
    try:
        yield name
    finally:
        sleeper.kill()
        sleeper.wait()
        ip("netns", "del", name, check=False)


def _pids_in(namespace: str) -> list[str]:
    return ip("netns", "pids", namespace, check=False).split()


def _alive(pid: int) -> bool:
    """Running (this machine's init does not reap orphans: a zombie has stopped)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in status


def _history(env: Env) -> str:
    done = subprocess.run([str(servers.BIN / "abaca-manage"), "--config-file",
                           str(env.config), "reconcile", "history"],
                          capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


def test_an_unowned_share_server_is_removed_after_the_grace(env: Env,
                                                            foreign_namespace: str) -> None:
    env.start("first.log")
    mc = env.mc("proja")
    mc.share_types.create("dhss", spec_driver_handles_share_servers=True)
    network = mc.share_networks.create(name="orphaned")
    share = servers.wait_for_status(
        mc, mc.shares.create("NFS", 1, share_network=network.id, share_type="dhss").id,
        timeout=120)
    assert share.status == "available"
    (server,) = mc.share_servers.list(search_opts={"share_network": network.id})
    server_id = server.id
    namespace = f"abaca-{server_id}"
    assert namespace in our_namespaces()
    daemons = [int(pid) for pid in _pids_in(namespace)]
    assert daemons, "the server's Ganesha and smbd run in its namespace"

    # The share service dies after the rows of the share and its server were deleted
    # but before the server was torn down.
    assert env.proc is not None
    env.proc.kill()
    with sqlite3.connect(env.state / "abaca.sqlite") as db:
        db.execute("UPDATE share_instances SET deleted = id, status = 'deleted' "
                   "WHERE share_id = ?", (share.id,))
        db.execute("UPDATE shares SET deleted = id WHERE id = ?", (share.id,))
        db.execute("UPDATE share_servers SET deleted = id, status = 'deleted' "
                   "WHERE id = ?", (server_id,))
    assert namespace in our_namespaces()

    env.start("second.log")
    try:
        servers.wait_until(lambda: namespace not in ip("netns", "list"), timeout=60,
                           what="the unowned server's namespace removed")
    except TimeoutError:
        print("LOG", (env.tmp / "second.log").read_text()[-6000:])
        raise
    assert [pid for pid in daemons if _alive(pid)] == [], "its daemons are stopped"
    history = _history(env)
    assert f"share_server {server_id} orphan_found" in " ".join(history.split())
    assert f"share_server {server_id} orphan_removed" in " ".join(history.split())
    # another deployment's namespace, on no bridge of ours, is left as it is
    assert foreign_namespace in ip("netns", "list")
    assert _pids_in(foreign_namespace)
