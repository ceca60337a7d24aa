"""abaca-api: the API as a multi-worker WSGI server (gunicorn, threaded workers)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from gunicorn.app.base import BaseApplication

from abaca.cmd.common import prepare, require_bus
from abaca.db import session as db_session
from abaca.rpc import transport as rpc


def bind_address(conf: Any) -> str:
    host = conf.api.listen
    return f"[{host}]:{conf.api.port}" if ":" in host else f"{host}:{conf.api.port}"


class ApiServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, conf: Any) -> None:
        self.conf = conf
        super().__init__()

    def load_config(self) -> None:
        settings = {
            "bind": bind_address(self.conf),
            "workers": self.conf.api.workers,
            "worker_class": "gthread",
            "threads": self.conf.api.threads,
            "control_socket_disable": True,
            "graceful_timeout": 30,
            "timeout": 120,
            "proc_name": "abaca-api",
            "limit_request_line": 8190,
        }
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        # Runs in each worker after the fork: every worker owns its connections.
        from abaca.api.app import wsgi_app

        db = db_session.from_conf(self.conf)
        transport = rpc.get_transport(self.conf)
        return wsgi_app(self.conf, db, transport)


def main(argv: Sequence[str] | None = None) -> None:
    conf = prepare(sys.argv[1:] if argv is None else argv, "abaca-api", with_backends=False)
    require_bus(conf, "abaca-api")
    ApiServer(conf).run()
