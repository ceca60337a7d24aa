"""Concurrent creates through the API never place more than a pool can hold: a thin
pool stops at total * max_over_subscription_ratio, a thick pool at its size, and every
request that does not fit ends in ``error`` with the "no valid host" user message."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests

from tests.fixtures import servers

BACKENDS = {
    # 100 GB thin at ratio 2.0: at most 200 GB provisioned
    "thin": servers.dummy_backend("t1:100", dummy_capabilities="tier:gold",
                                  dummy_thin_provisioning=True,
                                  dummy_max_over_subscription_ratio=2.0),
    # 50 GB thick: at most 50 GB
    "thick": servers.dummy_backend("k1:50", dummy_capabilities="tier:gold"),
}
HEADERS = {"X-Auth-Token": "admin:demo", "X-OpenStack-Manila-API-Version": "2.65"}
REQUESTS, SIZE = 40, 10  # 400 GB asked for, 250 GB of room


def test_concurrent_creates_never_overcommit(tmp_path: Any) -> None:
    unlimited = {"quota": {"shares": -1, "gigabytes": -1, "per_share_gigabytes": -1}}
    with servers.all_in_one(tmp_path, BACKENDS, unlimited) as (url, proc):
        servers.wait_for_pools(url, 2)
        mc = servers.manila(url, "2.65")
        mc.share_types.create("gold", spec_driver_handles_share_servers=False,
                              extra_specs={"tier": "gold"})

        def create(i: int) -> str:
            resp = requests.post(f"{url}/v2/shares", headers=HEADERS, timeout=60, json={
                "share": {"share_proto": "NFS", "size": SIZE, "share_type": "gold",
                          "name": f"oc-{i}"}})
            assert resp.status_code == 200, resp.text
            return str(resp.json()["share"]["id"])

        # Waves of concurrent creates until a wave places nothing: within a wave the
        # scheduler's own bookkeeping must hold the line; between waves the pools report.
        shares: list[Any] = []
        for wave in range(6):
            with ThreadPoolExecutor(8) as pool:
                ids = list(pool.map(create, range(wave * REQUESTS, (wave + 1) * REQUESTS)))
            done = [servers.wait_for_status(mc, ident, ("available", "error"), timeout=90)
                    for ident in ids]
            shares.extend(done)
            if not any(s.status == "available" for s in done):
                break
            servers.wait_for_pools(url, 2)
            time.sleep(3)  # the next capability report
        messages = {m.resource_id: m.user_message for m in mc.messages.list()}
        log = proc.log.read_text(errors="replace")

    placed = Counter(str(s.host).partition("@")[2].partition("#")[0]
                     for s in shares if s.status == "available")
    assert placed["thin"] * SIZE <= 200, placed
    assert placed["thick"] * SIZE <= 50, placed
    # The pools were filled to the line, not starved.
    assert placed["thin"] * SIZE == 200 and placed["thick"] * SIZE == 50, placed
    failed = [s for s in shares if s.status == "error"]
    assert len(failed) == len(shares) - sum(placed.values()) > 0
    for share in failed:
        assert "No storage could be allocated" in messages[share.id]
    assert "Traceback" not in log, log[-3000:]
