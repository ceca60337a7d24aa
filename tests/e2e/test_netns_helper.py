"""The netns compute helper on its own: every step may run again, after a crash at any
point, and finishes the job (as root, with real namespaces in 198.18.0.0/15)."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from types import SimpleNamespace

import pytest

from abaca.share.compute.netns import NetnsComputeHelper, host_link_name, namespace_name
from abaca.share.driver_api import BackendConfig, ShareServer
from abaca.share.network.base import Allocation, NetworkInfo

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(os.geteuid() != 0, reason="needs root")]


def ip(*argv: str) -> str:
    return subprocess.run(["ip", *argv], capture_output=True, text=True, timeout=30,
                          check=False).stdout


@pytest.fixture
def helper() -> Iterator[NetnsComputeHelper]:
    if shutil.which("ip") is None:
        pytest.skip("iproute2 is not installed")
    options = SimpleNamespace(netns_bridge=f"abrt{secrets.token_hex(3)}")
    config = BackendConfig(name="b1", share_backend_name="b1", availability_zone="nova",
                           driver_handles_share_servers=True, state_path="/nonexistent",
                           options=options)
    made = NetnsComputeHelper(config)
    try:
        yield made
    finally:
        made.shutdown()
        ip("link", "del", made.bridge)


LISTEN = """
import socket, sys
with socket.create_server((sys.argv[1], 7000)) as srv:
    print("ready", flush=True)
    conn, _ = srv.accept()
    conn.sendall(b"hello")
    conn.close()
"""


def reachable(ns: str, address: str) -> bool:
    """Whether this (root) namespace reaches a listener inside ``ns`` at ``address``."""
    server = subprocess.Popen(["ip", "netns", "exec", ns, sys.executable, "-c", LISTEN,
                               address], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None and server.stdout.readline().strip() == "ready"
        with socket.create_connection((address, 7000), timeout=5) as conn:
            return conn.recv(5) == b"hello"
    finally:
        server.kill()
        server.wait()


def network(octet: int) -> NetworkInfo:
    return NetworkInfo(cidr=f"198.18.{octet}.0/24", ip_version=4,
                       gateway=f"198.18.{octet}.1", mtu=1400, network_type="flat",
                       segmentation_id=None)


def test_create_twice_and_after_a_half_done_create(helper: NetnsComputeHelper) -> None:
    octet = 128 + secrets.randbelow(120)
    sid = str(uuid.uuid4())
    ns, link = namespace_name(sid), host_link_name(sid)
    first = helper.create_share_server(sid, network(octet), [Allocation(f"198.18.{octet}.10")])
    assert first.network_namespace == ns
    again = helper.create_share_server(sid, network(octet), [Allocation(f"198.18.{octet}.10")])
    assert again == first
    inside = ip("-n", ns, "-4", "addr", "show", "dev", "eth0")
    assert inside.count(f"198.18.{octet}.10/24") == 1
    assert "mtu 1400" in ip("-n", ns, "link", "show", "dev", "eth0")
    assert f"default via 198.18.{octet}.1" in ip("-n", ns, "route")
    assert f"master {helper.bridge}" in ip("link", "show", "dev", link)
    # the host reaches the server through the bridge's gateway address
    assert reachable(ns, f"198.18.{octet}.10")

    # a crash left the namespace without its link: the next create finishes the job
    ip("link", "del", link)
    helper.create_share_server(sid, network(octet), [Allocation(f"198.18.{octet}.10")])
    assert f"198.18.{octet}.10/24" in ip("-n", ns, "-4", "addr", "show", "dev", "eth0")
    assert f"master {helper.bridge}" in ip("link", "show", "dev", link)

    # delete, twice, and after something was left running inside
    sleeper = subprocess.Popen(["ip", "netns", "exec", ns, "sleep", "300"])
    try:
        server = ShareServer(id=sid, addresses=(f"198.18.{octet}.10",))
        helper.delete_share_server(server)
        assert sleeper.wait(15) is not None
        helper.delete_share_server(server)
    finally:
        if sleeper.poll() is None:
            sleeper.kill()
    assert ns not in ip("netns", "list")
    assert ip("link", "show", "dev", link) == ""


def test_shutdown_removes_what_it_set_up_and_the_bridge(helper: NetnsComputeHelper) -> None:
    octet = 128 + secrets.randbelow(120)
    ids = [str(uuid.uuid4()) for _ in range(2)]
    for i, sid in enumerate(ids):
        helper.create_share_server(sid, network(octet), [Allocation(f"198.18.{octet}.{10 + i}")])
    assert all(namespace_name(sid) in ip("netns", "list") for sid in ids)
    helper.shutdown()
    listed = ip("netns", "list")
    assert not any(namespace_name(sid) in listed for sid in ids)
    assert ip("link", "show", "dev", helper.bridge) == ""
