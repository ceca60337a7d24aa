"""Start-up shared by the commands: config, logging, and building services."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

import oslo_messaging

from abaca import conf as confmod
from abaca.common.errors import AbacaError, ConfigError
from abaca.common.service import Service
from abaca.conf import logging as log_conf
from abaca.db.session import Database
from abaca.rpc import transport as rpc

LOG = logging.getLogger(__name__)


def fail(message: str) -> NoReturn:
    print(f"abaca: {message}", file=sys.stderr)
    sys.exit(2)


def prepare(argv: Sequence[str], prog: str, *, with_backends: bool) -> Any:
    try:
        conf = confmod.load(argv, prog=prog, with_backends=with_backends)
    except ConfigError as exc:
        fail(f"configuration error: {exc.message}")
    log_conf.setup(conf, prog)
    return conf


def require_bus(conf: Any, prog: str) -> None:
    """A service in its own process needs a real message bus to meet the others."""
    url = conf.transport_url or ""
    if not url or url.startswith(("fake", "inproc")):
        fail(f"configuration error: {prog} runs as a process of its own, so [DEFAULT] "
             "transport_url must name a message bus (rabbit://user:pass@host:5672/vhost); "
             "use 'abaca all-in-one' to run everything in one process")


def scheduler_service(conf: Any, db: Database,
                      transport: oslo_messaging.Transport) -> Service:
    from abaca.scheduler.manager import SchedulerManager

    manager = SchedulerManager(conf.host, conf, db, transport)
    return Service(host=conf.host, binary="abaca-scheduler", topic=rpc.SCHEDULER_TOPIC,
                   manager=manager, db=db, transport=transport,
                   report_interval=conf.report_interval,
                   periodic_interval=conf.periodic_interval,
                   periodic_fuzzy_delay=conf.periodic_fuzzy_delay,
                   availability_zone=conf.storage_availability_zone)


def share_services(conf: Any, db: Database,
                   transport: oslo_messaging.Transport) -> list[Service]:
    """One service (and share manager) per enabled backend, as host@backend."""
    from abaca.share import backend as backend_mod
    from abaca.share.manager import ShareManager

    result = []
    for name in conf.enabled_share_backends:
        try:
            backend = backend_mod.build(conf, name)
        except AbacaError as exc:
            raise ConfigError(exc.message) from exc
        host = f"{conf.host}@{name}"
        manager = ShareManager(host, conf, db, transport, backend)
        result.append(Service(host=host, binary="abaca-share", topic=rpc.SHARE_TOPIC,
                              manager=manager, db=db, transport=transport,
                              report_interval=conf.report_interval,
                              periodic_interval=conf.periodic_interval,
                              periodic_fuzzy_delay=conf.periodic_fuzzy_delay,
                              availability_zone=backend.config.availability_zone))
    return result


def run_until_signalled(services: list[Service],
                        after_start: Callable[[], None] | None = None,
                        on_stop: Callable[[], None] | None = None) -> None:
    """Start services (then ``after_start``), block until SIGTERM/SIGINT, then stop:
    ``on_stop`` first, then the services in reverse order, each finishing its work."""
    stop = threading.Event()

    def _signal(signum: int, _frame: Any) -> None:
        LOG.info("signal %d: stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _signal)
    signal.signal(signal.SIGINT, _signal)
    started: list[Service] = []
    try:
        for svc in services:
            svc.start()
            started.append(svc)
        if after_start is not None:
            after_start()
        stop.wait()
    finally:
        if on_stop is not None:
            on_stop()
        for svc in reversed(started):
            svc.stop()
        for svc in reversed(started):
            svc.wait()
