"""Share servers of a DHSS=True backend: get or create, delete, clean up, restore.

One server serves the shares of one share network subnet on one backend (``host`` is
``host@backend``). The network helper chooses its addresses, which are recorded in
``network_allocations`` under the manager's server lock (so an address is never handed
out twice by this service), the compute helper makes the server (a namespace, a VM), the
storage driver starts serving from it. Every step looks before it acts, so each flow can
run again after a crash; no database transaction is held while a helper works.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from abaca.common.errors import Invalid, NotFound
from abaca.common.states import ShareServerStatus
from abaca.db.models import (
    AvailabilityZone,
    NetworkAllocation,
    ShareInstance,
    ShareNetwork,
    ShareNetworkSubnet,
    ShareServerBackendDetail,
    utcnow,
)
from abaca.db.models import ShareServer as ServerRow
from abaca.share.driver_api import ShareServer, ShareServerSupport
from abaca.share.network.base import (
    AddressPoolExhausted,
    Allocation,
    NetworkInfo,
    SubnetInfo,
)

if TYPE_CHECKING:
    from abaca.share.manager import ShareManager

LOG = logging.getLogger(__name__)
V = ShareServerStatus
#: statuses of a server that may take new shares or serve its shares
USABLE = (V.ACTIVE, V.CREATING)
#: tries to allocate when other share services keep taking the same addresses
ALLOCATION_ATTEMPTS = 5


# the driver's view ----------------------------------------------------------------------


def view(row: ServerRow) -> ShareServer:
    """A recorded server as the driver sees it (addresses in the order allocated)."""
    details = row.backend_details()
    allocations = sorted(row.allocations, key=lambda a: (a.label != "user", a.created_at))
    return ShareServer(id=row.id, addresses=tuple(a.ip_address for a in allocations),
                       network_namespace=details.get("network_namespace"), details=details)


def of_instance(session: Session, inst: ShareInstance) -> ShareServer | None:
    if not inst.share_server_id:
        return None
    row = session.get(ServerRow, inst.share_server_id)
    return view(row) if row is not None else None


def subnet_info(subnet: ShareNetworkSubnet) -> SubnetInfo:
    return SubnetInfo(id=subnet.id, share_network_id=subnet.share_network_id,
                      cidr=subnet.cidr, gateway=subnet.gateway, mtu=subnet.mtu,
                      network_type=subnet.network_type,
                      segmentation_id=subnet.segmentation_id,
                      allowed_ip_ranges=tuple(
                          r for r in (subnet.allowed_ip_ranges or "").split(",") if r))


# get or create --------------------------------------------------------------------------


def _subnet(mgr: ShareManager, session: Session, share_network_id: str) -> ShareNetworkSubnet:
    network = session.get(ShareNetwork, share_network_id)
    if network is None or network.deleted:
        raise NotFound(f"Share network {share_network_id} could not be found.")
    zone = session.scalar(select(AvailabilityZone.id).where(
        AvailabilityZone.name == mgr.backend.config.availability_zone,
        AvailabilityZone.deleted == ""))
    subnet = network.subnet_for(zone)
    if subnet is None:
        raise Invalid(f"Share network {share_network_id} has no subnet in availability zone "
                      f"{mgr.backend.config.availability_zone} and no default subnet.")
    return subnet


def _taken(session: Session) -> set[str]:
    """Every address a live server holds, and every subnet's gateway (an admin may give
    two share networks one cidr, one of them with a gateway)."""
    held = set(session.scalars(select(NetworkAllocation.ip_address).where(
        NetworkAllocation.deleted == "")))
    return held | {g for g in session.scalars(select(ShareNetworkSubnet.gateway).where(
        ShareNetworkSubnet.deleted == "", ShareNetworkSubnet.gateway.is_not(None))) if g}


def get_or_create(mgr: ShareManager, share_network_id: str, instance_id: str) -> ShareServer:
    """The usable server of the network's subnet on this backend, made if there is none;
    the share instance is recorded on it at once, so the cleanup never takes a server
    that a share is being created on.

    Raises AddressPoolExhausted (no address left: nothing is written), or the helper's
    or driver's error (the server is then ``error``)."""
    with mgr.server_lock:
        for _attempt in range(ALLOCATION_ATTEMPTS):
            with mgr.db.write() as session:
                subnet = _subnet(mgr, session, share_network_id)
                row = session.scalar(select(ServerRow).where(
                    ServerRow.share_network_subnet_id == subnet.id,
                    ServerRow.host == mgr.host, ServerRow.deleted == "",
                    ServerRow.status.in_(USABLE)))
                if row is not None and row.status == V.ACTIVE:
                    _claim(session, instance_id, row.id)
                    return view(row)
                info = subnet_info(subnet)
                network = mgr.backend.network.network_for(info)
                _show_network(subnet, network)
                if row is None:
                    row = ServerRow(share_network_subnet_id=subnet.id, host=mgr.host,
                                    status=V.CREATING, is_auto_deletable=True)
                    session.add(row)
                    session.flush()
                allocations = [Allocation(a.ip_address, a.label) for a in row.allocations]
                fresh = not allocations  # new, or a create a crash interrupted before this
                if fresh:
                    allocations = mgr.backend.network.allocate_network(info, _taken(session))
                    _record(session, row, subnet, network, allocations)
                server_id = row.id
                _claim(session, instance_id, server_id)
            if not fresh or not _collided(mgr, server_id):
                return _bring_up(mgr, server_id, network, allocations, new=True)
            # Another share service took the same address at the same moment (pools
            # that overlap): the earlier allocation keeps it, this one chooses again.
            LOG.warning("share server %s: address taken concurrently; choosing again",
                        server_id)
            _release(mgr, server_id)
        raise AddressPoolExhausted("No address could be allocated for a new share server: "
                                   "other services kept taking the same ones.")


def _collided(mgr: ShareManager, server_id: str) -> bool:
    """Whether a live allocation of another server, made earlier, has one of this
    server's addresses (committed by another process after this one read the pool)."""
    with mgr.db.read() as session:
        mine = list(session.scalars(select(NetworkAllocation).where(
            NetworkAllocation.share_server_id == server_id, NetworkAllocation.deleted == "")))
        for own in mine:
            rivals = session.scalars(select(NetworkAllocation).where(
                NetworkAllocation.ip_address == own.ip_address,
                NetworkAllocation.deleted == "",
                NetworkAllocation.share_server_id != server_id))
            if any((r.created_at, r.id) < (own.created_at, own.id) for r in rivals):
                return True
    return False


def _release(mgr: ShareManager, server_id: str) -> None:
    with mgr.db.write() as session:
        for allocation in session.scalars(select(NetworkAllocation).where(
                NetworkAllocation.share_server_id == server_id,
                NetworkAllocation.deleted == "")):
            allocation.soft_delete()


def _show_network(subnet: ShareNetworkSubnet, network: NetworkInfo) -> None:
    """Record on a subnet that has none the network its servers use (the API shows it,
    as Manila's network plugins do)."""
    if subnet.cidr:
        return
    subnet.cidr, subnet.ip_version, subnet.gateway = (network.cidr, network.ip_version,
                                                      network.gateway)
    subnet.mtu, subnet.network_type = network.mtu, network.network_type
    subnet.segmentation_id = network.segmentation_id


def _claim(session: Session, instance_id: str, server_id: str) -> None:
    inst = session.get(ShareInstance, instance_id)
    if inst is not None:
        inst.share_server_id = server_id


def _record(session: Session, row: ServerRow, subnet: ShareNetworkSubnet,
            network: NetworkInfo, chosen: list[Allocation]) -> None:
    for allocation in chosen:
        session.add(NetworkAllocation(
            share_server_id=row.id, share_network_subnet_id=subnet.id,
            ip_address=allocation.ip_address, ip_version=network.ip_version,
            network_type=network.network_type, segmentation_id=network.segmentation_id,
            cidr=network.cidr, gateway=network.gateway, mtu=network.mtu,
            label=allocation.label))


def _bring_up(mgr: ShareManager, server_id: str, network: NetworkInfo,
              allocations: list[Allocation], *, new: bool) -> ShareServer:
    """Compute helper, then driver; the server ends ``active`` or ``error``."""
    try:
        server = mgr.backend.compute.create_share_server(server_id, network, allocations)
        driver = mgr.driver
        if not isinstance(driver, ShareServerSupport):
            raise Invalid("This backend's driver cannot serve from share servers.")
        if new:
            details = server.details | driver.setup_server(server)
        else:
            driver.ensure_server(server)
            details = server.details
    except Exception:
        LOG.exception("share server %s could not be set up", server_id)
        with mgr.db.write() as session:
            row = session.get(ServerRow, server_id)
            failed = V.MANAGE_ERROR if row is not None and \
                row.status == V.MANAGE_STARTING else V.ERROR
            if row is not None and row.status != failed:
                V.check(row.status, failed)
                row.status = failed
        raise
    with mgr.db.write() as session:
        row = session.get(ServerRow, server_id)
        assert row is not None
        _save_details(session, row, details)
        if row.status != V.ACTIVE:
            V.check(row.status, V.ACTIVE)
            row.status = V.ACTIVE
        row.identifier = details.get("network_namespace", server_id)
        return view(row) if row.allocations else server


def _save_details(session: Session, row: ServerRow, details: dict[str, str]) -> None:
    have = {d.key: d for d in row.backend_details_items}
    for key, value in details.items():
        if key in have:
            have[key].value = value
        else:
            session.add(ShareServerBackendDetail(share_server_id=row.id, key=key,
                                                 value=value))
    session.flush()
    session.expire(row, ["backend_details_items", "allocations"])


# restore at start -----------------------------------------------------------------------


def restore_all(mgr: ShareManager) -> None:
    """Bring every active server of this backend back (namespace, address, daemons);
    the shares' exports and rules follow through ensure_share. A server a crash caught
    half made is finished, one caught half deleted is deleted."""
    with mgr.db.read() as session:
        rows = list(session.scalars(select(ServerRow).where(
            ServerRow.host == mgr.host, ServerRow.deleted == "",
            ServerRow.status.in_((V.ACTIVE, V.CREATING, V.DELETING)))))
        deleting = [r.id for r in rows if r.status == V.DELETING]
        rows = [r for r in rows if r.status != V.DELETING]
        todo = []
        for row in rows:
            try:
                if row.subnet is None:
                    raise Invalid(f"Share server {row.id} has no share network subnet.")
                network = mgr.backend.network.network_for(subnet_info(row.subnet))
            except Exception:
                LOG.exception("share server %s cannot be restored", row.id)
                continue
            todo.append((row.id, network, row.status == V.CREATING,
                         [Allocation(a.ip_address, a.label) for a in row.allocations]))
    for server_id, network, new, allocations in todo:
        try:
            if new and not allocations:
                continue  # nothing was made for it yet: the next share's create does it
            _bring_up(mgr, server_id, network, allocations, new=new)
        except Exception:
            LOG.exception("share server %s could not be restored", server_id)
    for server_id in deleting:
        delete(mgr, server_id)
    LOG.info("%s: restored %d share servers, finished deleting %d", mgr.host, len(todo),
             len(deleting))


# manage and unmanage (admin) -----------------------------------------------------------


def manage(mgr: ShareManager, server_id: str) -> None:
    """Take a server the API recorded (``manage_starting``) into service: its addresses
    are allocated if it has none, then it is brought up like a restored server."""
    with mgr.server_lock:
        with mgr.db.write() as session:
            row = session.get(ServerRow, server_id)
            if row is None or row.deleted or row.status != V.MANAGE_STARTING:
                return
            subnet = row.subnet
            try:
                if subnet is None:
                    raise Invalid(f"Share server {server_id} has no share network subnet.")
                network = mgr.backend.network.network_for(subnet_info(subnet))
                if not row.allocations:
                    chosen = mgr.backend.network.allocate_network(subnet_info(subnet),
                                                                  _taken(session))
                    _record(session, row, subnet, network, chosen)
                    session.flush()
                    session.expire(row, ["allocations"])
            except Exception:
                LOG.exception("share server %s cannot be managed", server_id)
                row.status = V.MANAGE_ERROR
                return
            allocations = [Allocation(a.ip_address, a.label) for a in row.allocations]
        try:
            _bring_up(mgr, server_id, network, allocations, new=True)
        except Exception:
            return  # logged, and the server is manage_error


def unmanage(mgr: ShareManager, server_id: str, *, force: bool = False) -> None:
    """Forget a server (``unmanage_starting``): its rows go, its allocations are released
    in the database; what runs for it is left as it is."""
    with mgr.server_lock, mgr.db.write() as session:
        row = session.get(ServerRow, server_id)
        if row is None or row.deleted or row.status != V.UNMANAGE_STARTING:
            return
        if _in_use(session, server_id) and not force:
            row.status = V.UNMANAGE_ERROR
            return
        for allocation in row.allocations:
            session.get(NetworkAllocation, allocation.id).soft_delete()  # type: ignore[union-attr]
        row.status = V.UNMANAGED
        row.soft_delete()


# delete and cleanup ---------------------------------------------------------------------


def _in_use(session: Session, server_id: str) -> bool:
    return session.scalar(select(ShareInstance.id).where(
        ShareInstance.share_server_id == server_id, ShareInstance.deleted == "")) is not None


def delete(mgr: ShareManager, server_id: str, *, only_if_unused: bool = True) -> bool:
    """Stop serving, remove the server and release its addresses; True when done.

    Refuses (False) while shares use it. A failure leaves the server ``error``."""
    with mgr.server_lock:
        with mgr.db.write() as session:
            row = session.get(ServerRow, server_id)
            if row is None or row.deleted or row.host != mgr.host:
                return False
            if only_if_unused and _in_use(session, server_id):
                LOG.info("share server %s still has shares: not deleted", server_id)
                return False
            if row.status != V.DELETING:
                V.check(row.status, V.DELETING)
                row.status = V.DELETING
            server = view(row)
            allocations = [Allocation(a.ip_address, a.label) for a in row.allocations]
        try:
            driver = mgr.driver
            if isinstance(driver, ShareServerSupport):
                driver.teardown_server(server)
            mgr.backend.compute.delete_share_server(server)
            mgr.backend.network.deallocate_network(allocations)
        except Exception:
            LOG.exception("share server %s could not be deleted", server_id)
            with mgr.db.write() as session:
                row = session.get(ServerRow, server_id)
                if row is not None:
                    row.status = V.ERROR
            return False
        with mgr.db.write() as session:
            row = session.get(ServerRow, server_id)
            assert row is not None
            for allocation in session.scalars(select(NetworkAllocation).where(
                    NetworkAllocation.share_server_id == server_id,
                    NetworkAllocation.deleted == "")):
                allocation.soft_delete()
            for detail in row.backend_details_items:
                session.get(ShareServerBackendDetail, detail.id).soft_delete()  # type: ignore[union-attr]
            row.status = V.DELETED
            row.soft_delete()
    LOG.info("share server %s deleted", server_id)
    return True


def cleanup_unused(mgr: ShareManager) -> list[str]:
    """Delete the auto-deletable servers of this backend that have had no share for
    unused_share_server_cleanup_interval minutes; returns their ids."""
    opts = mgr.backend.config.options
    if not opts.automatic_share_server_cleanup:
        return []
    cutoff = utcnow() - timedelta(minutes=opts.unused_share_server_cleanup_interval)
    with mgr.db.read() as session:
        candidates = [r.id for r in session.scalars(select(ServerRow).where(
            ServerRow.host == mgr.host, ServerRow.deleted == "",
            ServerRow.is_auto_deletable.is_(True),
            ServerRow.status.in_((V.ACTIVE, V.ERROR)))) if
            (r.updated_at or r.created_at) <= cutoff and not _in_use(session, r.id)]
    return [server_id for server_id in candidates if delete(mgr, server_id)]


def unused_since_now(mgr: ShareManager, server_id: str | None) -> None:
    """A share of the server was deleted: the cleanup interval counts from now."""
    if not server_id:
        return
    with mgr.db.write() as session:
        row = session.get(ServerRow, server_id)
        if row is not None and not row.deleted:
            row.updated_at = utcnow()

