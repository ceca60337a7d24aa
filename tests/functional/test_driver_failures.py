"""Error paths: a failing backend, candidate fallback, delete failures, quotas."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures import servers


@pytest.fixture(scope="module")
def failing(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """'broken' has the most room (so it is tried first) but fails every create;
    'sturdy' works; 'undeletable' creates but fails deletes."""
    backends = {
        "broken": servers.dummy_backend("big:10000", dummy_fail_methods="create_share",
                                        dummy_capabilities="kind:shared"),
        "sturdy": servers.dummy_backend("small:100", dummy_capabilities="kind:shared"),
        "undeletable": servers.dummy_backend("p:100", dummy_fail_methods="delete_share",
                                             dummy_capabilities="kind:sticky"),
        "lonely": servers.dummy_backend("p:100", dummy_fail_methods="create_share",
                                        dummy_capabilities="kind:lonely"),
    }
    tmp: Path = tmp_path_factory.mktemp("failing")
    quota = {"quota": {"gigabytes": 20, "shares": 6}}
    with servers.all_in_one(tmp, backends, groups=quota) as (url, _):
        servers.wait_for_pools(url, 4)
        mc = servers.manila(url, "2.42")
        for kind in ("shared", "sticky", "lonely"):
            mc.share_types.create(kind, spec_driver_handles_share_servers=False,
                                  extra_specs={"kind": kind})
        yield mc


def test_a_failing_backend_hands_over_to_the_next_candidate(failing: Any) -> None:
    share = servers.wait_for_status(failing, failing.shares.create(
        "NFS", 1, share_type="shared").id)
    assert share.status == "available"
    assert share.host == "testhost@sturdy#small"
    failing.shares.delete(share)


def test_when_every_candidate_fails_the_share_is_in_error_with_a_message(
        failing: Any) -> None:
    share = servers.wait_for_status(failing, failing.shares.create(
        "NFS", 1, share_type="lonely").id)
    assert share.status == "error"
    messages = [m for m in failing.messages.list() if m.resource_id == share.id]
    assert [(m.action_id, m.detail_id) for m in messages] == [("002", "002")]
    assert "Driver failed to create share" in messages[0].user_message
    failing.shares.delete(share)
    servers.wait_until(lambda: share.id not in {s.id for s in failing.shares.list()},
                       what="errored share deleted")


def test_a_failed_delete_leaves_error_deleting_and_a_message(failing: Any) -> None:
    share = servers.wait_for_status(failing, failing.shares.create(
        "NFS", 1, share_type="sticky").id)
    assert share.status == "available"
    failing.shares.delete(share)
    share = servers.wait_for_status(failing, share.id, ("error_deleting",))
    assert share.status == "error_deleting"
    assert any(m.detail_id == "009" for m in failing.messages.list()
               if m.resource_id == share.id)


def test_quota_limits_are_enforced_and_reported(failing: Any) -> None:
    from manilaclient.common.apiclient import exceptions as api_exc

    absolute = failing.limits.get()._info["absolute"]
    assert absolute["maxTotalShareGigabytes"] == 20 and absolute["maxTotalShares"] == 6
    used = absolute["totalShareGigabytesUsed"]
    with pytest.raises(api_exc.RequestEntityTooLarge):
        failing.shares.create("NFS", 21 - used, share_type="shared")
    assert failing.limits.get()._info["absolute"]["totalShareGigabytesUsed"] == used
