"""abaca-share: runs the enabled backends, one worker (service) each."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from abaca.cmd.common import fail, prepare, require_bus, run_until_signalled, share_services
from abaca.common.errors import ConfigError
from abaca.db import session as db_session
from abaca.rpc import transport as rpc


def main(argv: Sequence[str] | None = None) -> None:
    conf = prepare(sys.argv[1:] if argv is None else argv, "abaca-share", with_backends=True)
    if not conf.enabled_share_backends:
        fail("configuration error: [DEFAULT] enabled_share_backends names no backend")
    require_bus(conf, "abaca-share")
    db = db_session.from_conf(conf)
    transport = rpc.get_transport(conf)
    try:
        services = share_services(conf, db, transport)
    except ConfigError as exc:
        fail(f"configuration error: {exc.message}")
    run_until_signalled(services)
    transport.cleanup()
