"""The share lifecycle over the three services as separate processes.

abaca-api (gunicorn, 2 workers), abaca-scheduler and abaca-share talk over this
machine's RabbitMQ (a private vhost) and keep their state in PostgreSQL, then in
MariaDB (a private database each); python-manilaclient drives the API at 2.42.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from manilaclient import exceptions as mc_exc

from tests.fixtures.servers import dummy_backend, wait_for_status, wait_until
from tests.integration.conftest import HOST, Deployment

pytestmark = pytest.mark.integration


def _ids(shares: list[Any]) -> set[str]:
    return {s.id for s in shares}


def _gone(mc: Any, share_id: str) -> bool:
    try:
        share = mc.shares.get(share_id)
    except mc_exc.NotFound:
        return True
    assert share.status in ("deleting", "available"), share.status
    return False


@pytest.mark.parametrize("database_url", ["postgresql", "mariadb"], indirect=True)
def test_share_lifecycle(deploy: Callable[..., Deployment]) -> None:
    dep = deploy({"backend1": dummy_backend("pool0:500,pool1:500")})
    mc = dep.client("2.42")

    nfs = mc.shares.create("NFS", 1, name="it-nfs", description="an NFS share",
                           metadata={"tier": "gold", "owner": "it"})
    cifs = mc.shares.create("CIFS", 2, name="it-cifs", metadata={"tier": "silver"})
    assert nfs.status == "creating"
    for share in (nfs, cifs):
        done = wait_for_status(mc, share.id, timeout=60)
        assert done.status == "available", (done.status, dep.logs())

    # list with filters ------------------------------------------------------------------
    everything = mc.shares.list()
    assert _ids(everything) == {nfs.id, cifs.id}
    assert _ids(mc.shares.list(search_opts={"name": "it-nfs"})) == {nfs.id}
    assert _ids(mc.shares.list(search_opts={"status": "available"})) == {nfs.id, cifs.id}
    assert _ids(mc.shares.list(search_opts={"status": "error"})) == set()
    assert _ids(mc.shares.list(search_opts={"share_proto": "CIFS"})) == {cifs.id}
    assert _ids(mc.shares.list(search_opts={"share_proto": "NFS"})) == {nfs.id}
    assert _ids(mc.shares.list(search_opts={"metadata": {"tier": "gold"}})) == {nfs.id}
    assert _ids(mc.shares.list(search_opts={"metadata": {"tier": "bronze"}})) == set()
    assert _ids(mc.shares.list(detailed=False, search_opts={"name": "it-cifs"})) == {cifs.id}

    # show ----------------------------------------------------------------------------------
    shown = mc.shares.get(nfs.id)
    assert (shown.name, shown.description, shown.size, shown.share_proto) == (
        "it-nfs", "an NFS share", 1, "NFS")
    assert shown.status == "available"
    assert shown.share_type_name == "default"
    assert shown.metadata == {"tier": "gold", "owner": "it"}
    assert shown.host.startswith(f"{HOST}@backend1#pool"), shown.host
    assert mc.shares.get(cifs.id).share_proto == "CIFS"

    # rename (update) -----------------------------------------------------------------------
    mc.shares.update(nfs, display_name="it-nfs-renamed", display_description="renamed")
    renamed = mc.shares.get(nfs.id)
    assert (renamed.name, renamed.description) == ("it-nfs-renamed", "renamed")
    assert _ids(mc.shares.list(search_opts={"name": "it-nfs-renamed"})) == {nfs.id}
    assert _ids(mc.shares.list(search_opts={"name": "it-nfs"})) == set()

    # metadata --------------------------------------------------------------------------------
    mc.shares.set_metadata(nfs, {"env": "test", "tier": "platinum"})
    assert mc.shares.get_metadata(nfs)._info == {
        "tier": "platinum", "owner": "it", "env": "test"}
    mc.shares.delete_metadata(nfs, ["owner", "env"])
    assert mc.shares.get_metadata(nfs)._info == {"tier": "platinum"}
    assert mc.shares.get(nfs.id).metadata == {"tier": "platinum"}
    assert _ids(mc.shares.list(search_opts={"metadata": {"tier": "platinum"}})) == {nfs.id}

    # export locations (2.9+) ---------------------------------------------------------------
    nfs_exports = mc.share_export_locations.list(nfs)
    cifs_exports = mc.share_export_locations.list(cifs)
    assert nfs_exports and cifs_exports
    assert any(e.preferred for e in nfs_exports)
    assert all(":/" in e.path for e in nfs_exports), [e.path for e in nfs_exports]
    assert all(e.path.startswith("\\\\") for e in cifs_exports), [e.path for e in cifs_exports]
    one = mc.share_export_locations.get(nfs, nfs_exports[0].id)
    assert one.path == nfs_exports[0].path

    # delete ------------------------------------------------------------------------------------
    mc.shares.delete(nfs)
    mc.shares.delete(cifs)
    for share in (nfs, cifs):
        wait_until(lambda s=share: _gone(mc, s.id), timeout=60, what=f"{share.id} deleted")
    assert mc.shares.list() == []
    assert mc.shares.list(search_opts={"all_tenants": 1}) == []
