"""Services (heartbeats, enable/disable) and availability zones."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from abaca.db.models import AvailabilityZone, Service, utcnow
from abaca.db.session import insert_or_get


def ensure_availability_zone(session: Session, name: str) -> AvailabilityZone:
    """The zone called ``name``, created if missing; safe when services start together."""
    query = select(AvailabilityZone).where(AvailabilityZone.name == name,
                                           AvailabilityZone.deleted == "")
    az = session.scalar(query)
    if az is not None:
        return az
    return insert_or_get(session, AvailabilityZone(name=name), query)


def list_availability_zones(session: Session) -> list[AvailabilityZone]:
    return list(session.scalars(select(AvailabilityZone).where(AvailabilityZone.deleted == "")
                                .order_by(AvailabilityZone.name)))


def register(session: Session, host: str, binary: str, topic: str,
             availability_zone: str | None) -> Service:
    """Create the row of a starting service, or revive the one it had."""
    svc = session.scalar(select(Service).where(
        Service.host == host, Service.binary == binary, Service.deleted == ""))
    if svc is None:
        svc = Service(host=host, binary=binary, topic=topic, report_count=0)
        session.add(svc)
    svc.topic = topic
    svc.heartbeat_at = utcnow()
    svc.availability_zone_id = (ensure_availability_zone(session, availability_zone).id
                                if availability_zone else None)
    session.flush()
    return svc


def heartbeat(session: Session, service_id: int) -> None:
    svc = session.get(Service, service_id)
    if svc is not None:
        svc.heartbeat_at = utcnow()
        svc.report_count += 1


def list_services(session: Session, binary: str | None = None) -> list[Service]:
    query = select(Service).where(Service.deleted == "").order_by(Service.id)
    if binary:
        query = query.where(Service.binary == binary)
    return list(session.scalars(query))


def get_by_host_binary(session: Session, host: str, binary: str) -> Service | None:
    return session.scalar(select(Service).where(
        Service.host == host, Service.binary == binary, Service.deleted == ""))


def is_up(svc: Service, down_time: int, now: datetime | None = None) -> bool:
    if svc.heartbeat_at is None:
        return False
    return (now or utcnow()) - svc.heartbeat_at <= timedelta(seconds=down_time)


def usable_hosts(session: Session, binary: str, down_time: int) -> set[str]:
    """Hosts of ``binary`` that are enabled and have a recent heartbeat."""
    now = utcnow()
    return {s.host for s in list_services(session, binary)
            if not s.disabled and is_up(s, down_time, now)}
