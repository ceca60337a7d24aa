"""abaca all-in-one: API, scheduler and share services in one process.

The embedded default: SQLite under state_path, the in-process message bus, and the
API on a threaded WSGI server.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Sequence
from typing import Any

import sqlalchemy.exc
from cheroot import wsgi

from abaca.cmd.common import (
    fail,
    prepare,
    run_until_signalled,
    scheduler_service,
    share_services,
)
from abaca.common.errors import ConfigError
from abaca.common.service import Service
from abaca.db import migrate
from abaca.db import session as db_session
from abaca.rpc import transport as rpc
from abaca.services import share_types

LOG = logging.getLogger(__name__)


def bootstrap(conf: Any, db: db_session.Database) -> None:
    """Create or upgrade the schema and the default share type."""
    migrate.sync(db)
    with db.write() as session:
        share_types.ensure_default(session, conf)


def main(argv: Sequence[str] | None = None) -> None:
    conf = prepare(sys.argv[1:] if argv is None else argv, "abaca-all-in-one",
                   with_backends=True)
    db = db_session.from_conf(conf)  # connects lazily: nothing is written yet
    transport = rpc.get_transport(conf, url=conf.transport_url or rpc.IN_PROCESS_URL)
    try:
        # Build every backend first, so a bad combination starts (and writes) nothing.
        services: list[Service] = [scheduler_service(conf, db, transport),
                                   *share_services(conf, db, transport)]
    except ConfigError as exc:
        fail(f"configuration error: {exc.message}")
    try:
        bootstrap(conf, db)
    except sqlalchemy.exc.OperationalError as exc:
        fail(f"cannot use the database: {exc.orig or exc}")

    from abaca.api.app import wsgi_app

    server = wsgi.Server((conf.api.listen, conf.api.port), wsgi_app(conf, db, transport),
                         numthreads=conf.api.threads, server_name="abaca")
    api_thread: list[threading.Thread] = []

    def serve_api() -> None:
        server.prepare()
        api_thread.append(threading.Thread(target=server.serve, name="api", daemon=True))
        api_thread[0].start()
        LOG.info("abaca all-in-one serving http://%s:%d/ with %d backends", conf.api.listen,
                 conf.api.port, len(services) - 1)

    def stop_api() -> None:
        if api_thread:
            server.stop()

    try:
        run_until_signalled(services, after_start=serve_api, on_stop=stop_api)
    finally:
        transport.cleanup()
        db.dispose()
