"""The Manager base: one aspect of the system, its RPC endpoints and periodic tasks."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

import oslo_messaging

from abaca.common.context import RequestContext

LOG = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])


def periodic_task(spacing: float | None = None) -> Callable[[F], F]:
    """Mark a manager method to run periodically; ``None`` means every periodic_interval."""

    def mark(func: F) -> F:
        func._periodic_spacing = spacing  # type: ignore[attr-defined]
        return func

    return mark


class Manager:
    """Base of the scheduler and share managers.

    Public methods are RPC endpoints; ``init_host`` runs once before the service
    consumes messages; methods marked with ``periodic_task`` run from the service's
    periodic loop.
    """

    target = oslo_messaging.Target(version="1.0")

    def __init__(self, host: str, conf: Any) -> None:
        self.host = host
        self.conf = conf
        self._last_run: dict[str, float] = {}

    def init_host(self) -> None:
        """Prepare to serve: called before the RPC server starts."""

    def after_start(self) -> None:
        """Called once the RPC server consumes messages."""

    def cleanup_host(self) -> None:
        """Release what init_host took: called when the service stops."""

    def _periodic_tasks(self) -> list[tuple[str, Callable[[RequestContext], Any], float]]:
        tasks = []
        for name in dir(type(self)):
            func = getattr(type(self), name, None)
            if callable(func) and hasattr(func, "_periodic_spacing"):
                spacing = func._periodic_spacing or self.conf.periodic_interval
                tasks.append((name, getattr(self, name), float(spacing)))
        return tasks

    def run_periodic_tasks(self, ctxt: RequestContext, *, force: bool = False) -> float:
        """Run every task that is due; returns seconds until the next one is."""
        now = time.monotonic()
        idle = float(self.conf.periodic_interval)
        for name, task, spacing in self._periodic_tasks():
            last = self._last_run.get(name)
            if force or last is None or now - last >= spacing:
                self._last_run[name] = now
                try:
                    task(ctxt)
                except Exception:
                    LOG.exception("periodic task %s failed", name)
                idle = min(idle, spacing)
            else:
                idle = min(idle, spacing - (now - last))
        return max(idle, 0.05)
