"""Loading filters and weighers by the short names the config gives them."""

from __future__ import annotations

from collections.abc import Sequence
from importlib.metadata import entry_points
from typing import Any

from stevedore import driver
from stevedore.exception import NoMatches

from abaca.common.errors import ConfigError

FILTERS_NAMESPACE = "abaca.scheduler.filters"
WEIGHERS_NAMESPACE = "abaca.scheduler.weighers"


def available(namespace: str) -> list[str]:
    return sorted(ep.name for ep in entry_points(group=namespace))


def load(namespace: str, names: Sequence[str], base: type[object], option: str) -> list[Any]:
    """One instance of each named plugin (a ``base``), in the order given.

    Any problem is a ConfigError naming ``option``, so the scheduler refuses to start
    instead of scheduling without a filter the operator asked for.
    """
    return [_load_one(namespace, name, base, option) for name in names]


def _load_one(namespace: str, name: str, base: type[object], option: str) -> object:
    def failed(_manager: Any, entry_point: Any, exc: BaseException) -> None:
        raise ConfigError(f"[scheduler] {option}: plugin '{name}' ({entry_point.value}) "
                          f"could not be loaded: {exc}") from exc

    try:
        manager = driver.DriverManager(namespace, name, invoke_on_load=True,
                                       on_load_failure_callback=failed)
    except NoMatches as exc:
        raise ConfigError(f"[scheduler] {option}: unknown plugin '{name}'; available in "
                          f"{namespace}: {', '.join(available(namespace))}") from exc
    plugin = manager.driver
    if not isinstance(plugin, base):
        raise ConfigError(f"[scheduler] {option}: plugin '{name}' is a "
                          f"{type(plugin).__name__}, not a {base.__name__}")
    return plugin
