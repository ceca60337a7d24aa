"""The local backend on plain directories: it serves NFS but says it cannot enforce
share sizes, so a share type that needs enforcement avoids it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e import local_backend as lb
from tests.fixtures import servers

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(os.geteuid() != 0, reason="needs root")]


def test_directory_pool_serves_and_reports_no_size_enforcement(tmp_path: Path) -> None:
    nfs_port = servers.free_port()
    backends = {"plain": lb.local_backend(
        tmp_path, nfs_port, servers.free_port(), "NFS", local_pool_type="directory",
        local_pool_path=str(tmp_path / "pool"))}
    (tmp_path / "pool").mkdir()
    with lb.local_all_in_one(tmp_path, backends) as (url, _proc):
        pools = servers.wait_for_pools(url, 1)
        caps = pools[0]["capabilities"]
        assert caps["enforces_share_size"] is False and caps["pool_type"] == "directory"
        assert caps["total_capacity_gb"] > 0
        mc = servers.manila(url, "2.42")
        mc.share_types.create("hard-limits", spec_driver_handles_share_servers=False,
                              extra_specs={"enforces_share_size": "<is> True"})
        avoided = servers.wait_for_status(mc, mc.shares.create(
            "NFS", 1, share_type="hard-limits").id)
        assert avoided.status == "error"
        share = servers.wait_for_status(mc, mc.shares.create("NFS", 1).id)
        assert share.status == "available"
        name = lb.export_path(mc, share).rsplit("/", 1)[-1]
        mc.shares.allow(share, "ip", "127.0.0.1", "rw")
        servers.wait_until(lambda: mc.shares.access_list(share)[0].state == "active")
        assert lb.nfs_write(nfs_port, name, "plain.txt", b"on a plain directory\n")
        assert (tmp_path / "pool" / "shares" / name / "plain.txt").read_bytes() == \
            b"on a plain directory\n"
        for s in (avoided, share):
            mc.shares.delete(s)
        servers.wait_until(lambda: not mc.shares.list(), what="deleted")
