"""A share server whose address comes from its share network's own cidr, for real: the
local backend with DHSS=True, the netns compute helper and the standalone network helper.

An admin creates a share network with cidr 198.19.<n>.0/28 and gateway .1 (an Abaca
extension sent with ``requests``; python-manilaclient cannot send it); the share server's
namespace gets .2/28 with a default route through .1 (which the service's bridge holds),
and a client namespace on the bridge with .14/28 writes over NFS to the share there.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.e2e import local_backend as lb
from tests.e2e.share_server_env import Env, ip, our_namespaces
from tests.fixtures import servers

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(os.geteuid() != 0, reason="needs root")]


@pytest.fixture
def env(request: pytest.FixtureRequest) -> Iterator[Env]:
    for tool in ("ip", "nsenter", "ganesha.nfsd", "smbd"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")
    # short: Ganesha's bus socket path under the state directory must fit in 108 bytes
    tmp = Path(tempfile.mkdtemp(prefix="abcidr-", dir="/tmp"))
    environment = Env(tmp)
    failed = request.session.testsfailed
    try:
        yield environment
    finally:
        if request.session.testsfailed > failed:  # the service's log, for the report
            for log in sorted(tmp.glob("*.log")):
                print(f"--- {log.name}\n" + "".join(log.read_text().splitlines(True)[-150:]))
        environment.cleanup()
        shutil.rmtree(tmp, ignore_errors=True)


def test_a_client_writes_to_a_server_addressed_from_the_share_networks_cidr(
        env: Env) -> None:
    env.start("first.log")
    net = f"198.19.{env.octet}"
    admin = env.mc("admin")
    admin.share_types.create("dhss", True)
    resp = requests.post(f"{env.url}/v2/share-networks", timeout=30, json={
        "share_network": {"name": "own-cidr", "cidr": f"{net}.0/28", "gateway": f"{net}.1",
                          "mtu": 1400}},
        headers={"X-Auth-Token": "admin:proja", "X-OpenStack-Manila-API-Version": "2.65"})
    assert resp.status_code == 200, resp.text
    network_id = resp.json()["share_network"]["id"]
    mc = env.mc("proja")
    share = servers.wait_for_status(
        mc, mc.shares.create("NFS", 1, share_network=network_id, share_type="dhss").id,
        timeout=120)
    assert share.status == "available", share
    path = lb.export_path(mc, share)
    assert path.startswith(f"{net}.2:/"), path

    # the server's namespace has the subnet's mask, MTU and gateway, not the config's
    (ns,) = our_namespaces()
    assert f"inet {net}.2/28 " in ip("-n", ns, "-4", "addr", "show", "dev", "eth0")
    assert "mtu 1400 " in ip("-n", ns, "link", "show", "dev", "eth0")
    assert f"default via {net}.1 " in ip("-n", ns, "-4", "route", "show")
    assert f"inet {net}.1/28 " in ip("-4", "addr", "show", "dev", env.bridge)

    # a client on the bridge, in the subnet, writes once a rule lets its address in
    env.attach_client()
    client_ip = f"{net}.14"
    ip("-n", env.client_ns, "addr", "add", f"{client_ip}/28", "dev", "eth0")
    assert not env.nfs_write(path, "x.txt", "no rule\n")
    mc.shares.allow(share, "ip", client_ip, "rw")
    servers.wait_until(
        lambda: [r.state for r in mc.share_access_rules.access_list(share)] == ["active"],
        timeout=60, what="the rule active")
    assert env.nfs_write(path, "x.txt", "from the share network's subnet\n")
