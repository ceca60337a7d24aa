"""A Service runs one Manager for one (host, binary, topic).

It consumes the topic's RPC messages, runs the manager's periodic tasks and writes a
heartbeat into the ``services`` table every ``report_interval``. ``stop`` is graceful:
the RPC server stops taking messages and lets the ones in hand finish.
"""

from __future__ import annotations

import logging
import random
import threading
from typing import Any

import oslo_messaging

from abaca.common.context import RequestContext
from abaca.common.manager import Manager
from abaca.db.repositories import services as services_repo
from abaca.db.session import Database
from abaca.rpc import transport as rpc

LOG = logging.getLogger(__name__)


class Service:
    def __init__(self, *, host: str, binary: str, topic: str, manager: Manager,
                 db: Database, transport: oslo_messaging.Transport,
                 report_interval: float, periodic_interval: float,
                 periodic_fuzzy_delay: float = 0, availability_zone: str | None = None) -> None:
        self.host = host
        self.binary = binary
        self.topic = topic
        self.manager = manager
        self.db = db
        self.transport = transport
        self.report_interval = report_interval
        self.periodic_interval = periodic_interval
        self.periodic_fuzzy_delay = periodic_fuzzy_delay
        self.availability_zone = availability_zone
        self.service_id: int | None = None
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._server: oslo_messaging.MessageHandlingServer | None = None

    def start(self) -> None:
        with self.db.write() as session:
            self.service_id = services_repo.register(
                session, self.host, self.binary, self.topic, self.availability_zone).id
        self.manager.init_host()
        self._server = rpc.get_server(self.transport, self.topic, self.host, [self.manager])
        self._server.start()
        self._spawn(self._heartbeat_loop, "heartbeat")
        self._spawn(self._periodic_loop, "periodic")
        self.manager.after_start()
        LOG.info("%s started on %s (topic %s)", self.binary, self.host, self.topic)

    def _spawn(self, target: Any, what: str) -> None:
        thread = threading.Thread(target=target, name=f"{self.binary}-{what}-{self.host}",
                                  daemon=True)
        thread.start()
        self._threads.append(thread)

    def _heartbeat_loop(self) -> None:
        while not self._stopping.wait(self.report_interval):
            try:
                with self.db.write() as session:
                    assert self.service_id is not None
                    services_repo.heartbeat(session, self.service_id)
            except Exception:
                LOG.exception("%s on %s could not write its heartbeat", self.binary, self.host)

    def _periodic_loop(self) -> None:
        delay = random.uniform(0, self.periodic_fuzzy_delay)  # noqa: S311 - spreading, not secrecy if self.periodic_fuzzy_delay else 0
        if self._stopping.wait(delay):
            return
        ctxt = RequestContext.admin()
        while not self._stopping.is_set():
            idle = self.manager.run_periodic_tasks(ctxt)
            self._stopping.wait(min(idle, self.periodic_interval))

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            try:
                self._server.stop()
            except Exception:
                LOG.exception("stopping the RPC server of %s failed", self.host)

    def wait(self) -> None:
        if self._server is not None:
            self._server.wait()
        for thread in self._threads:
            thread.join(timeout=10)
        self.manager.cleanup_host()
