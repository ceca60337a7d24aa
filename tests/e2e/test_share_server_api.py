"""The share server API against real share servers (local backend, DHSS=True, netns and
standalone helpers): show and backend details of the server a share got, deletes
refused while a share uses it, then ``DELETE /share-servers/{id}`` removes its network
namespace, and deleting the share network frees everything."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from manilaclient.common.apiclient import exceptions as api_exc

from tests.e2e.share_server_env import Env, our_namespaces
from tests.fixtures import servers

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(os.geteuid() != 0, reason="needs root")]


@pytest.fixture
def env() -> Iterator[Env]:
    for tool in ("ip", "nsenter", "ganesha.nfsd", "smbd"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    tmp = Path(tempfile.mkdtemp(prefix="absa-", dir="/tmp"))
    # no automatic cleanup: the test deletes the server itself
    environment = Env(tmp, automatic_share_server_cleanup=False)
    try:
        yield environment
    finally:
        environment.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


def test_delete_a_real_share_server_through_the_api(env: Env) -> None:
    env.start("server-api.log")
    admin = servers.manila(env.url, "2.65", token="admin:ops")
    admin.share_types.create("dhss", True)
    mc = servers.manila(env.url, "2.65", token="admin:tenant")
    network = mc.share_networks.create(name="real")
    share = servers.wait_for_status(
        mc, mc.shares.create("NFS", 1, share_network=network.id, share_type="dhss").id,
        timeout=120)
    assert share.status == "available", share
    (server,) = admin.share_servers.list(search_opts={"share_network": network.id})
    shown = admin.share_servers.get(server.id)
    assert (shown.status, shown.project_id, shown.is_auto_deletable) == (
        "active", "tenant", True)
    assert shown.backend_details, "the server's backend details are shown"
    assert our_namespaces(), "the server runs in a namespace"
    headers = {"X-Auth-Token": "admin:ops", "X-OpenStack-Manila-API-Version": "2.65"}

    def delete_server() -> int:
        return requests.delete(f"{env.url}/v2/share-servers/{server.id}", headers=headers,
                               timeout=30).status_code

    assert delete_server() == 409  # the share is on it
    with pytest.raises(api_exc.Conflict):
        mc.share_networks.delete(network)
    mc.shares.delete(share)
    servers.wait_until(lambda: not mc.shares.list(), timeout=60, what="the share to go")
    assert admin.share_servers.get(server.id).status == "active"  # no automatic cleanup

    assert delete_server() == 202
    servers.wait_until(
        lambda: server.id not in {s.id for s in admin.share_servers.list()},
        timeout=60, what="the share server to be deleted")
    assert not our_namespaces(), "its namespace is gone"
    mc.share_networks.delete(network)
    assert network.id not in {n.id for n in mc.share_networks.list()}
