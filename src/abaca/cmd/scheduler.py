"""abaca-scheduler: chooses a pool for each new share."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from abaca.cmd.common import prepare, require_bus, run_until_signalled, scheduler_service
from abaca.db import session as db_session
from abaca.rpc import transport as rpc


def main(argv: Sequence[str] | None = None) -> None:
    conf = prepare(sys.argv[1:] if argv is None else argv, "abaca-scheduler",
                   with_backends=False)
    require_bus(conf, "abaca-scheduler")
    db = db_session.from_conf(conf)
    transport = rpc.get_transport(conf)
    run_until_signalled([scheduler_service(conf, db, transport)])
    transport.cleanup()
