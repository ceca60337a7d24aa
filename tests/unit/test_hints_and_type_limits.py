"""Validation added with microversions 2.48-2.65: scheduler hints, the availability
zones and size-limit extra specs of share types, and who may extend past a type's
maximum."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from oslo_config import cfg

from abaca import policy
from abaca.common.context import RequestContext
from abaca.common.errors import Invalid, NotFound
from abaca.db import migrate
from abaca.db.models import Share, ShareInstance, ShareType, ShareTypeExtraSpec
from abaca.db.repositories import shares as shares_repo
from abaca.db.session import Database
from abaca.services import scheduler_hints, share_types
from abaca.services.share_actions import _check_type_limits

SHARE = "6f1c1f43-1b0b-4c2e-9d68-3a7e1f3f2b10"
OTHER = "0a4d86bb-8a0f-4b8e-b7a4-0d38d6a9c1aa"


def test_hints_are_parsed_into_share_id_lists() -> None:
    assert scheduler_hints.parse(None) == {}
    assert scheduler_hints.parse({"same_host": f" {SHARE} , {OTHER},{SHARE}"}) == {
        "same_host": [SHARE, OTHER]}
    hints = {"same_host": [SHARE], "different_host": [OTHER]}
    assert scheduler_hints.as_metadata(hints) == {"__affinity_same_host": SHARE,
                                                  "__affinity_different_host": OTHER}


@pytest.mark.parametrize("value", [
    "same_host", ["same_host"], {"same_host": ""}, {"same_host": f"{SHARE},"},
    {"same_host": 3}, {"same_host": [SHARE]}, {"only_host": "h@b#p"},
    {"different_host": "../../etc/passwd"}, {"different_host": "a b"},
])
def test_malformed_hints_are_refused(value: Any) -> None:
    with pytest.raises(Invalid):
        scheduler_hints.parse(value)


@pytest.mark.parametrize(("specs", "stored"), [
    ({"availability_zones": " zone-a ,zone-b,zone-a"}, {"availability_zones": "zone-a,zone-b"}),
    ({"provisioning:min_share_size": " 2 ", "provisioning:max_share_size": "10"},
     {"provisioning:min_share_size": "2", "provisioning:max_share_size": "10"}),
    ({"provisioning:max_share_size": "1", "provisioning:min_share_size": "1"},
     {"provisioning:max_share_size": "1", "provisioning:min_share_size": "1"}),
])
def test_type_specs_are_tidied(specs: dict[str, str], stored: dict[str, str]) -> None:
    assert share_types.check_specs(specs, require=False) == stored


@pytest.mark.parametrize("specs", [
    {"availability_zones": ""}, {"availability_zones": "a,,b"}, {"availability_zones": " , "},
    {"provisioning:max_share_size": "0"}, {"provisioning:min_share_size": "-1"},
    {"provisioning:min_share_size": "1.5"}, {"provisioning:max_share_size": "ten"},
    {"provisioning:min_share_size": "5", "provisioning:max_share_size": "4"},
])
def test_bad_type_specs_are_refused(specs: dict[str, str]) -> None:
    with pytest.raises(Invalid):
        share_types.check_specs(specs, require=False)


def _type(**specs: str) -> ShareType:
    st = ShareType(id="t", name="limited", is_public=True)
    st.extra_specs = [ShareTypeExtraSpec(key=k, value=v) for k, v in specs.items()]
    return st


LIMITED = {"provisioning:min_share_size": "2", "provisioning:max_share_size": "5"}


@pytest.mark.parametrize(("size", "operation", "ok"), [
    (2, "create", True), (5, "create", True), (1, "create", False), (6, "create", False),
    (6, "extend", False), (5, "extend", True), (1, "shrink", False), (2, "shrink", True),
    (9, "shrink", True), (1, "extend", True),
])
def test_type_size_limits(size: int, operation: str, ok: bool) -> None:
    st = _type(**LIMITED)
    if ok:
        share_types.check_size(st, size, operation=operation)
    else:
        with pytest.raises(Invalid, match="share type 'limited'"):
            share_types.check_size(st, size, operation=operation)


def test_a_type_without_limits_takes_any_size() -> None:
    share_types.check_size(_type(), 10_000)


@pytest.fixture
def enforcer() -> None:
    conf = cfg.ConfigOpts()
    conf([], project="abaca", default_config_files=[])
    policy.init(conf)  # the default rules, no policy file


def test_only_admins_extend_past_the_maximum(enforcer: None) -> None:
    st = _type(**LIMITED)
    target = {"project_id": "p", "user_id": "u"}
    member = RequestContext(user_id="u", project_id="p", roles=("member",))
    admin = RequestContext(user_id="a", project_id="p", roles=("admin",), is_admin=True)
    with pytest.raises(Invalid, match="maximum"):
        _check_type_limits(member, st, 6, True, target)
    _check_type_limits(admin, st, 6, True, target)
    # the minimum binds administrators too
    with pytest.raises(Invalid, match="minimum"):
        _check_type_limits(admin, st, 1, False, target)


def test_a_zone_outside_the_type_zones_is_refused() -> None:
    zoned = _type(availability_zones="zone-a,zone-b")
    share_types.check_zone(zoned, "zone-b")
    share_types.check_zone(zoned, None)
    share_types.check_zone(_type(), "zone-c")
    with pytest.raises(Invalid, match="zone-c"):
        share_types.check_zone(zoned, "zone-c")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path}/hints.sqlite")
    migrate.sync(database)
    yield database
    database.dispose()


def _add_share(session: Any, project: str, *hosts: str | None) -> str:
    share = Share(project_id=project, size=1, share_proto="NFS")
    session.add(share)
    session.flush()
    for host in hosts:
        session.add(ShareInstance(share_id=share.id, status="available", host=host))
    session.flush()
    return str(share.id)


def test_hints_resolve_to_the_pools_of_the_named_shares(db: Database) -> None:
    ctx = RequestContext(user_id="u", project_id="p")
    with db.write() as session:
        one = _add_share(session, "p", "h@b#x")
        two = _add_share(session, "p", "h@b#x", "h@c#y")  # with a replica
        hints = scheduler_hints.parse({"same_host": f"{one},{two}",
                                       "different_host": two})
        resolved = scheduler_hints.resolve(session, ctx, hints)
    assert resolved == {
        "same_host": f"{one},{two}",
        "same_host_hosts": "h@b#x;h@b#x,h@c#y",  # one group per share, intersected
        "different_host": two,
        "different_host_hosts": "h@b#x,h@c#y",
    }


def test_hints_naming_unseen_or_unplaced_shares_are_refused(db: Database) -> None:
    ctx = RequestContext(user_id="u", project_id="p")
    with db.write() as session:
        theirs = _add_share(session, "other", "h@b#x")
        waiting = _add_share(session, "p", None)
        for share_id, error in ((theirs, NotFound), (SHARE, NotFound), (waiting, Invalid)):
            with pytest.raises(error):
                scheduler_hints.resolve(session, ctx, {"same_host": [share_id]})


def test_an_instance_made_available_by_any_flow_is_complete(db: Database) -> None:
    with db.write() as session:
        share = Share(project_id="p", size=1, share_proto="NFS")
        session.add(share)
        session.flush()
        inst = ShareInstance(share_id=share.id, status="creating_from_snapshot",
                             progress="0%")
        session.add(inst)
        session.flush()
        shares_repo.set_status(inst, "available")
        assert inst.progress == "100%"
        shares_repo.set_status(inst, "extending")
        assert inst.progress == "100%"  # stays complete while it is resized
