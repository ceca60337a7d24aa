"""How long export changes take: raw D-Bus calls and GaneshaServer's whole operations.

Run with ``-s`` to see the medians. The bounds are loose: they catch a regression to
SIGHUP-reload costs or a hang, not noise.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import pytest

from abaca.share.protocols.ganesha_config import render_export
from abaca.share.protocols.ganesha_dbus import ExportManager
from abaca.share.protocols.rules import IpRule

from .conftest import Ganesha

pytestmark = pytest.mark.e2e

N = 100


def _median_ms(action: Callable[[int], object], ids: range) -> float:
    times = []
    for export_id in ids:
        start = time.perf_counter()
        action(export_id)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def test_export_change_timings(ganesha: Ganesha) -> None:
    server = ganesha.server
    share = str(ganesha.share_dir("t"))
    rw, ro = [IpRule("127.0.0.1", "rw")], [IpRule("127.0.0.0/8", "ro")]

    # GaneshaServer: file written and fsynced, then D-Bus.
    export = _median_ms(lambda i: server.export(i, share, f"/s{i}", rw), range(1, N + 1))
    update = _median_ms(lambda i: server.export(i, share, f"/s{i}", ro), range(1, N + 1))
    unexport = _median_ms(server.unexport, range(1, N + 1))

    # The raw export manager calls, files written beforehand.
    raw = ExportManager(server.bus_address)
    files = {}
    for i in range(N + 1, 2 * N + 1):
        files[i] = server.exports_dir / f"{i}.conf"
        files[i].write_text(render_export(i, share, f"/r{i}", rw))
    try:
        add = _median_ms(lambda i: raw.add(files[i], i), range(N + 1, 2 * N + 1))
        upd = _median_ms(lambda i: raw.update(files[i], i), range(N + 1, 2 * N + 1))
        show = _median_ms(lambda _: raw.export_ids(), range(N))
        remove = _median_ms(raw.remove, range(N + 1, 2 * N + 1))
    finally:
        raw.close()

    print(f"\nmedians over {N}: GaneshaServer.export new {export:.2f} ms, "
          f"update {update:.2f} ms, unexport {unexport:.2f} ms; D-Bus AddExport {add:.2f} ms, "
          f"UpdateExport {upd:.2f} ms, RemoveExport {remove:.2f} ms, "
          f"ShowExports ({N} exports) {show:.2f} ms")
    assert max(export, update, unexport, add, upd, remove) < 200
