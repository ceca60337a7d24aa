"""A share service that stops: seen down, new shares fail with a message, then recovery.

The three services run as processes over RabbitMQ and PostgreSQL.

The share service is stopped with SIGTERM (a graceful stop, as an operator or systemd
does). Within service_down_time (+ a few seconds of slack for the poll) the services
list shows it down; the scheduler then has no usable backend, so a new share goes to
``error`` and its owner gets a user message about it. Started again with the same
config, the share service registers, reports its pools, and creates succeed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

from tests.fixtures.servers import (
    dummy_backend,
    wait_for_api,
    wait_for_pools,
    wait_for_status,
    wait_until,
)
from tests.integration.conftest import HOST, SERVICE_DOWN_TIME, Deployment

pytestmark = pytest.mark.integration

SHARE_HOST = f"{HOST}@backend1"


def _share_state(mc: Any) -> str | None:
    for svc in mc.services.list():
        if svc.binary == "abaca-share" and svc.host == SHARE_HOST:
            return str(svc.state)
    return None


def test_share_service_down_and_back(deploy: Callable[..., Deployment]) -> None:
    dep = deploy({"backend1": dummy_backend()})
    mc = dep.client("2.42")

    services = {(s.binary, s.host): s for s in mc.services.list()}
    assert services[("abaca-share", SHARE_HOST)].state == "up"
    assert services[("abaca-scheduler", HOST)].state == "up"

    first = mc.shares.create("NFS", 1, name="before")
    assert wait_for_status(mc, first.id, timeout=60).status == "available"

    # stop the share service ----------------------------------------------------------------
    dep.share.stop()
    stopped_at = time.monotonic()
    assert not dep.share.alive()
    wait_until(lambda: _share_state(mc) == "down", timeout=SERVICE_DOWN_TIME + 6,
               interval=0.5, what="abaca-share to be reported down")
    assert time.monotonic() - stopped_at <= SERVICE_DOWN_TIME + 6
    # the scheduler is not affected
    assert {s.state for s in mc.services.list() if s.binary == "abaca-scheduler"} == {"up"}

    failed = mc.shares.create("NFS", 1, name="while-down")
    share = wait_for_status(mc, failed.id, timeout=60)
    assert share.status == "error", share.status
    messages = mc.messages.list(search_opts={"resource_id": failed.id})
    assert messages, "no user message for the share that went to error"
    msg = messages[0]
    assert (msg.resource_id, msg.resource_type) == (failed.id, "SHARE")
    assert msg.message_level == "ERROR"
    assert msg.user_message
    assert mc.messages.get(msg.id).resource_id == failed.id
    # the first share is still there, untouched
    assert mc.shares.get(first.id).status == "available"

    # start it again --------------------------------------------------------------------------
    dep.share.start()
    wait_until(lambda: _share_state(mc) == "up", timeout=30, what="abaca-share up again")
    wait_for_api(dep.endpoint, dep.api)
    wait_for_pools(dep.endpoint, 1, timeout=30)
    again = mc.shares.create("NFS", 1, name="after")
    done = wait_for_status(mc, again.id, timeout=60)
    assert done.status == "available", (done.status, dep.logs())
    assert done.host.startswith(f"{SHARE_HOST}#")
    # the share created before the outage is served again after the restart
    assert mc.shares.get(first.id).status == "available"
    assert not mc.messages.list(search_opts={"resource_id": again.id})
