"""Shares on their way to a pool keep their room in the scheduler's view although the
pool's reports do not show them yet: a report gathered while they are being created must
not make the pool look empty again, and once a report shows them they count once."""

from __future__ import annotations

import time
from pathlib import Path

from tests.fixtures import servers

# 50 GB thick; creating a share takes 5 s, pools report every 2 s
BACKENDS = {"slow": servers.dummy_backend("p:50", dummy_method_delays="create_share:5")}


def _reported_free(mc: object) -> float:
    (pool,) = mc.pools.list(detailed=True)  # type: ignore[attr-defined]
    return float(pool.capabilities["free_capacity_gb"])


def test_shares_being_created_keep_their_room_across_pool_reports(tmp_path: Path) -> None:
    unlimited = {"quota": {"shares": -1, "gigabytes": -1}}
    with servers.all_in_one(tmp_path, BACKENDS, unlimited) as (url, _proc):
        servers.wait_for_pools(url, 1)
        mc = servers.manila(url, "2.45")
        first = [mc.shares.create("NFS", 10, name=f"on-the-way-{i}") for i in range(5)]
        # reports arrive while none of the five exists yet: they still say 50 GB free
        servers.wait_until(lambda: all(mc.shares.get(s.id).host for s in first),
                           what="the five placed")
        time.sleep(2.5)  # one report at least, while their creates take 5 s
        assert _reported_free(mc) == 50
        extra = mc.shares.create("NFS", 10, name="one-too-many")
        assert servers.wait_for_status(mc, extra.id, ("available", "error")).status == "error"
        assert all(servers.wait_for_status(mc, s.id, ("available", "error"), timeout=90)
                   .status == "available" for s in first)
        messages = [m.user_message for m in mc.messages.list()
                    if m.resource_id == extra.id]
        assert messages and "No storage could be allocated" in messages[0]

        # the five exist and the reports say so: counted once, so a freed place is free
        mc.shares.delete(first[0])
        servers.wait_until(lambda: _reported_free(mc) == 10, timeout=30,
                           what="a report showing the freed 10 GB")
        again = mc.shares.create("NFS", 10, name="in-the-freed-place")
        assert servers.wait_for_status(mc, again.id, ("available", "error"),
                                       timeout=90).status == "available"
