"""Two backends with different capabilities: a share type's extra spec picks one.

The three services run as processes over RabbitMQ and PostgreSQL; one abaca-share
runs both backends.

The hdd backend is made the more attractive by capacity (the CapacityWeigher would
choose it: a share of the default type goes there), so shares of the ``disk_type=ssd``
type landing on the ssd backend every time is the CapabilitiesFilter's doing.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.fixtures.servers import dummy_backend, wait_for_status
from tests.integration.conftest import HOST, Deployment

pytestmark = pytest.mark.integration


def test_extra_spec_selects_backend(deploy: Callable[..., Deployment]) -> None:
    dep = deploy({
        "fast": dummy_backend("pool0:200", dummy_capabilities="disk_type:ssd"),
        "slow": dummy_backend("pool0:20000", dummy_capabilities="disk_type:hdd"),
    })
    mc = dep.client("2.42")
    pools = {p.name: p for p in mc.pools.list(detailed=True)}
    assert pools[f"{HOST}@fast#pool0"].capabilities["disk_type"] == "ssd"
    assert pools[f"{HOST}@slow#pool0"].capabilities["disk_type"] == "hdd"

    ssd = mc.share_types.create("ssd", spec_driver_handles_share_servers=False,
                                extra_specs={"disk_type": "ssd"})
    assert ssd.get_keys()["disk_type"] == "ssd"

    created = [mc.shares.create("NFS", 1, name=f"ssd-{i}", share_type=ssd.id)
               for i in range(6)]
    control = mc.shares.create("NFS", 1, name="control")
    for share in [*created, control]:
        done = wait_for_status(mc, share.id, timeout=60)
        assert done.status == "available", (done.status, dep.logs())

    hosts = {s.id: mc.shares.get(s.id).host for s in created}
    assert all(h.startswith(f"{HOST}@fast#") for h in hosts.values()), hosts
    assert {mc.shares.get(s.id).share_type_name for s in created} == {"ssd"}
    # without the extra spec, the weigher prefers the big hdd backend
    assert mc.shares.get(control.id).host.startswith(f"{HOST}@slow#")
    # admin filter on host lists exactly those
    on_fast = mc.shares.list(search_opts={"host": f"{HOST}@fast#pool0"})
    assert {s.id for s in on_fast} == set(hosts)
