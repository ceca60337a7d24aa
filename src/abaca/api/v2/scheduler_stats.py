"""/v2/scheduler-stats/pools[/detail]: what the schedulers know of the pools. Admin only."""

from __future__ import annotations

from typing import Any

import falcon
import oslo_messaging

from abaca import policy
from abaca.api.common import Deps, at_least, ctx, query_params, send
from abaca.common.errors import Invalid, ServiceUnavailable
from abaca.services import share_types
from abaca.services.share_listing import dict_param


class Pools:
    def __init__(self, deps: Deps, *, detailed: bool) -> None:
        self.deps = deps
        self.detailed = detailed

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        policy.authorize(ctx(req), "scheduler_stats:pools:detail" if self.detailed
                         else "scheduler_stats:pools:index")
        params = query_params(req)
        filters: dict[str, Any] = {k: params[k] for k in ("host", "backend", "pool")
                                   if k in params}
        caps: dict[str, str] = {}
        if "capabilities" in params:
            caps.update(dict_param(params["capabilities"], "capabilities"))
        if "share_type" in params and at_least(req, "2.23"):
            with self.deps.db.read() as session:
                st = share_types.find(session, params["share_type"])
                caps.update({k: v for k, v in st.specs().items() if ":" not in k
                             or k.startswith("capabilities:")})
        if caps:
            filters["capabilities"] = caps
        try:
            pools = self.deps.scheduler_rpc.get_pools(ctx(req), filters)
        except oslo_messaging.RemoteError as exc:
            if exc.exc_type == "Invalid":
                raise Invalid(f"Invalid pool filter: {exc.value}") from exc
            raise
        except oslo_messaging.MessagingTimeout as exc:
            raise ServiceUnavailable("No scheduler answered; try again later.") from exc
        if not self.detailed:
            pools = [{k: p[k] for k in ("name", "host", "backend", "pool")} for p in pools]
        send(resp, {"pools": pools})
