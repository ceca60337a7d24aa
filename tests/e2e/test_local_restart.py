"""Restart safety: after kill -9 of the share service, a restarted one serves every
available share again with exactly its active rules."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import local_backend as lb
from tests.fixtures import servers

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(os.geteuid() != 0, reason="needs root")]


def _start(config: Path, log: Path, url: str) -> servers.Proc:
    proc = servers.command("abaca", config, log)
    proc.args.insert(1, "all-in-one")
    proc.start()
    servers.wait_for_api(url, proc)
    servers.wait_for_pools(url, 1)
    return proc


def test_kill_9_then_restart_serves_shares_with_their_rules(tmp_path: Path) -> None:
    port, nfs_port = servers.free_port(), servers.free_port()
    backends = {"local": lb.local_backend(tmp_path, nfs_port, servers.free_port(), "NFS")}
    config = servers.write_config(tmp_path / "abaca.conf",
                                  servers.base_config(tmp_path / "state", port, backends))
    url = f"http://127.0.0.1:{port}"
    state = tmp_path / "state"
    proc = _start(config, tmp_path / "first.log", url)
    try:
        mc = servers.manila(url, "2.42")
        shares: dict[str, Any] = {}
        for level in ("rw", "ro"):
            share = servers.wait_for_status(mc, mc.shares.create("NFS", 1).id)
            name = lb.export_path(mc, share).rsplit("/", 1)[-1]
            rule = mc.shares.allow(share, "ip", "127.0.0.1", "rw")
            servers.wait_until(lambda s=share: mc.shares.access_list(s)[0].state == "active")
            assert lb.nfs_write(nfs_port, name, "kept.txt", f"data of {level}\n".encode())
            if level == "ro":  # end with a read-only rule
                mc.shares.deny(share, rule["id"])
                servers.wait_until(lambda s=share: not mc.shares.access_list(s))
                mc.shares.allow(share, "ip", "127.0.0.1", "ro")
                servers.wait_until(lambda s=share: [r.state for r in mc.shares.access_list(s)]
                                   == ["active"])
            shares[level] = (share, name)
        unruled = servers.wait_for_status(mc, mc.shares.create("NFS", 1).id)
        unruled_name = lb.export_path(mc, unruled).rsplit("/", 1)[-1]

        proc.kill()  # the share service dies; Ganesha, the mounts and the loop stay
        assert lb.our_pids(str(state / "local" / "local" / "ganesha"))

        proc = _start(config, tmp_path / "second.log", url)
        rw_share, rw_name = shares["rw"]
        ro_share, ro_name = shares["ro"]
        assert servers.wait_until(lambda: lb.nfs_read(nfs_port, rw_name, "kept.txt"),
                                  timeout=30, what="rw share served") == b"data of rw\n"
        assert lb.nfs_write(nfs_port, rw_name, "after.txt", b"written after restart\n")
        assert lb.nfs_read(nfs_port, ro_name, "kept.txt") == b"data of ro\n"
        assert not lb.nfs_write(nfs_port, ro_name, "refused.txt", b"ro stays ro")
        assert not lb.nfs_reachable(nfs_port, unruled_name)
        # exactly one Ganesha serves: the stale one was replaced, not duplicated
        ganesha = [p for p in lb.our_pids(str(state / "local" / "local" / "ganesha"))
                   if b"ganesha.nfsd" in Path(f"/proc/{p}/cmdline").read_bytes()]
        assert len(ganesha) == 1
        for share in (rw_share, ro_share, unruled):
            mc.shares.delete(share)
        servers.wait_until(lambda: not mc.shares.list(), what="shares deleted")
    finally:
        proc.stop()
        if lb.our_pids(str(state)) or lb.mounted(state):
            lb.cleanup_state(state)
    assert proc.popen is not None and proc.popen.returncode == 0, proc.tail()
    assert lb.our_pids(str(state)) == []
    assert not lb.mounted(state / "local" / "local" / "mnt")
    assert lb.loop_devices_for(state / "local" / "local" / "pool.img") == ""
