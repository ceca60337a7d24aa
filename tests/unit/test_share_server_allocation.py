"""Address allocation of the share-server flow on a real (SQLite) database: another share
service that took the same address a moment earlier keeps it, this one chooses again."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from abaca.db import migrate
from abaca.db.models import (
    NetworkAllocation,
    Share,
    ShareInstance,
    ShareNetwork,
    ShareNetworkSubnet,
    ShareServer,
    utcnow,
)
from abaca.db.session import Database
from abaca.share.backend import Backend
from abaca.share.compute.fake import FakeComputeHelper
from abaca.share.driver_api import BackendConfig
from abaca.share.drivers.dummy import DummyDriver
from abaca.share.flows import share_servers
from abaca.share.network.base import AddressPoolExhausted
from abaca.share.network.standalone import StandaloneNetworkHelper

HOST = "h@b1"


def manager(tmp_path: Path, ranges: str) -> Any:
    db = Database(f"sqlite:///{tmp_path / 'abaca.sqlite'}")
    migrate.sync(db)
    options = SimpleNamespace(
        standalone_network_plugin_gateway="198.18.4.1", standalone_network_plugin_mask="24",
        standalone_network_plugin_allowed_ip_ranges=[ranges],
        standalone_network_plugin_network_type="flat",
        standalone_network_plugin_segmentation_id=None, standalone_network_plugin_mtu=1500,
        fake_fail_create=False, dummy_pools=["p:100"], dummy_method_delays={},
        dummy_fail_methods=[], dummy_default_delay=0.0)
    config = BackendConfig(name="b1", share_backend_name="b1", availability_zone="nova",
                           driver_handles_share_servers=True, state_path=str(tmp_path),
                           options=options)
    backend = Backend(config=config, storage=DummyDriver(config),
                      compute=FakeComputeHelper(config),
                      network=StandaloneNetworkHelper(config))
    return SimpleNamespace(db=db, host=HOST, server_lock=threading.RLock(), backend=backend,
                           driver=backend.storage)


def network_and_share(mgr: Any) -> tuple[str, str]:
    with mgr.db.write() as session:
        net = ShareNetwork(project_id="p1")
        session.add(net)
        session.flush()
        session.add(ShareNetworkSubnet(share_network_id=net.id))
        share = Share(project_id="p1", size=1, share_proto="NFS", share_network_id=net.id)
        session.add(share)
        session.flush()
        inst = ShareInstance(share_id=share.id, status="creating")
        session.add(inst)
        session.flush()
        return net.id, inst.id


def rival(mgr: Any, address: str, *, earlier: bool) -> str:
    """Another share service's server holding ``address``, allocated a minute before or
    after this one's; returns its id."""
    with mgr.db.write() as session:
        server = ShareServer(host="other@b9", status="active")
        session.add(server)
        session.flush()
        when = utcnow() + timedelta(seconds=-60 if earlier else 60)
        session.add(NetworkAllocation(share_server_id=server.id, ip_address=address,
                                      ip_version=4, created_at=when))
        return server.id


def addresses(mgr: Any, server_id: str) -> list[str]:
    with mgr.db.read() as session:
        return list(session.scalars(select(NetworkAllocation.ip_address).where(
            NetworkAllocation.share_server_id == server_id,
            NetworkAllocation.deleted == "")))


def race(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first read of the taken addresses misses the rival's (as if it committed just
    after that read, in another process); later reads see it."""
    real_taken = share_servers._taken
    reads: list[int] = []

    def taken(session: Any) -> set[str]:
        reads.append(1)
        return set() if len(reads) == 1 else real_taken(session)

    monkeypatch.setattr(share_servers, "_taken", taken)


def test_an_earlier_rival_keeps_the_address(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    mgr = manager(tmp_path, "198.18.4.10-198.18.4.12")
    rival(mgr, "198.18.4.10", earlier=True)
    net, inst = network_and_share(mgr)
    race(monkeypatch)
    server = share_servers.get_or_create(mgr, net, inst)
    assert server.addresses == ("198.18.4.11",)
    assert addresses(mgr, server.id) == ["198.18.4.11"]  # .10 given back


def test_a_later_rival_backs_off_not_this_one(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    mgr = manager(tmp_path, "198.18.4.10-198.18.4.12")
    other = rival(mgr, "198.18.4.10", earlier=False)
    net, inst = network_and_share(mgr)
    race(monkeypatch)
    server = share_servers.get_or_create(mgr, net, inst)
    assert server.addresses == ("198.18.4.10",)
    # the other service's check says it lost: it will choose again
    assert share_servers._collided(mgr, other)
    assert not share_servers._collided(mgr, server.id)


def test_exhausted_writes_nothing(tmp_path: Path) -> None:
    mgr = manager(tmp_path, "198.18.4.10")
    rival(mgr, "198.18.4.10", earlier=True)
    net, inst = network_and_share(mgr)
    with pytest.raises(AddressPoolExhausted):
        share_servers.get_or_create(mgr, net, inst)
    with mgr.db.read() as session:
        assert session.scalars(select(ShareServer).where(ShareServer.host == HOST)).all() == []
        assert session.get(ShareInstance, inst).share_server_id is None
