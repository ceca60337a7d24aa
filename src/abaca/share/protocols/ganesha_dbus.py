"""Ganesha's D-Bus export manager, on the private bus Abaca starts for it.

Signatures, as NFS-Ganesha 4.3 introspects them on ``/org/ganesha/nfsd/ExportMgr``:
``AddExport(s path, s expr) -> s``, ``UpdateExport(s path, s expr) -> s``,
``RemoveExport(q id)``, ``DisplayExport(q id) -> (q, s fullpath, s, s, a(...))``,
``ShowExports() -> ((tt), a(qs(...)(tt)))``.

A config error does not always come back as a D-Bus error: AddExport may answer
"1 exports added. Errors found: ..." with the faulty block left out, so only the exact
success messages count as success.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jeepney import DBusAddress, MessageType, new_method_call  # type: ignore[import-untyped]
from jeepney.io.blocking import open_dbus_connection  # type: ignore[import-untyped]
from jeepney.low_level import HeaderFields  # type: ignore[import-untyped]
from jeepney.wrappers import DBusErrorResponse  # type: ignore[import-untyped]

from abaca.common.errors import DriverError

LOG = logging.getLogger(__name__)

BUS_NAME = "org.ganesha.nfsd"
_EXPORT_MGR = DBusAddress("/org/ganesha/nfsd/ExportMgr", bus_name=BUS_NAME,
                          interface="org.ganesha.nfsd.exportmgr")
_ADDED = re.compile(r"1 exports? added")
_UPDATED = re.compile(r"1 exports? updated")
PSEUDO_ROOT_ID = 0

# Only root may own Ganesha's name or call it; everyone may talk to the bus itself.
# dbus-daemon wants a <listen> element even when --address overrides it.
_BUS_CONFIG = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>{address}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
  </policy>
  <policy user="root">
    <allow own="org.ganesha.nfsd"/>
    <allow send_destination="org.ganesha.nfsd"/>
  </policy>
</busconfig>
"""


def bus_config(address: str) -> str:
    """dbus-daemon's config; ``address`` is a validated ``unix:path=`` address."""
    return _BUS_CONFIG.format(address=address)


class GaneshaDBusError(DriverError):
    """Ganesha refused or did not answer; ``detail`` is Ganesha's text, for the log."""

    def __init__(self, method: str, detail: str) -> None:
        self.method = method
        self.detail = detail
        super().__init__(f"NFS-Ganesha {method} failed.")


class ExportManager:
    """Blocking calls to the export manager over one connection, reopened when it breaks.

    Calls are serialised: a jeepney connection must not be shared by concurrent callers.
    """

    def __init__(self, bus_address: str, timeout: float = 30) -> None:
        self.bus_address = bus_address
        self.timeout = timeout
        self._lock = threading.Lock()
        self._conn: Any = None

    def close(self) -> None:
        with self._lock:
            self._close()

    def _close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()

    def _call(self, method: str, signature: str | None = None, body: Sequence[Any] = (),
              timeout: float | None = None) -> tuple[bool, tuple[Any, ...]]:
        """(ok, body) of the reply; an error reply gives (False, body)."""
        message = new_method_call(_EXPORT_MGR, method, signature, tuple(body))
        with self._lock:
            try:
                if self._conn is None:
                    self._conn = open_dbus_connection(bus=self.bus_address)
                reply = self._conn.send_and_get_reply(message, timeout=timeout or self.timeout)
            # TimeoutError, a broken socket, a failed authentication or Hello:
            except (OSError, ValueError, DBusErrorResponse) as exc:
                self._close()
                raise GaneshaDBusError(method, f"D-Bus: {exc!r}") from exc
        if reply.header.message_type == MessageType.error:
            name = reply.header.fields.get(HeaderFields.error_name, "")
            LOG.debug("Ganesha %s: %s %s", method, name, reply.body)
            return False, (name, *reply.body)
        return True, tuple(reply.body)

    def ping(self, timeout: float = 2) -> bool:
        """Whether Ganesha owns its name and answers (ShowExports)."""
        try:
            ok, _ = self._call("ShowExports", timeout=timeout)
        except GaneshaDBusError:
            return False
        return ok

    def add(self, conf: Path, export_id: int) -> bool:
        """AddExport; False if it was already active (AddExport is not idempotent)."""
        ok, body = self._call("AddExport", "ss", (str(conf), f"EXPORT(Export_Id={export_id})"))
        text = str(body[-1]) if body else ""
        if ok and _ADDED.fullmatch(text):
            return True
        if not ok and "already active" in text:
            return False
        raise GaneshaDBusError("AddExport", text)

    def update(self, conf: Path, export_id: int) -> None:
        ok, body = self._call("UpdateExport", "ss",
                              (str(conf), f"EXPORT(Export_Id={export_id})"))
        text = str(body[-1]) if body else ""
        if not (ok and _UPDATED.fullmatch(text)):
            raise GaneshaDBusError("UpdateExport", text)

    def remove(self, export_id: int) -> bool:
        """RemoveExport; False if there was no such export."""
        ok, body = self._call("RemoveExport", "q", (export_id,))
        if ok:
            return True
        text = str(body[-1]) if body else ""
        if "not found" in text:
            return False
        raise GaneshaDBusError("RemoveExport", text)

    def active_path(self, export_id: int) -> str | None:
        """The Path an active export serves (DisplayExport), or None if it is not active.

        Ganesha 4.3 reports the Path in DisplayExport's ``pseudopath`` field too, so the
        pseudo path of an active export cannot be read back.
        """
        ok, body = self._call("DisplayExport", "q", (export_id,))
        if ok:
            return str(body[1])
        text = str(body[-1]) if body else ""
        if "not found" in text:
            return None
        raise GaneshaDBusError("DisplayExport", text)

    def export_ids(self) -> set[int]:
        """Ids of the active exports, without Ganesha's own pseudo root (0)."""
        ok, body = self._call("ShowExports")
        if not ok:
            raise GaneshaDBusError("ShowExports", str(body[-1]) if body else "")
        return {int(entry[0]) for entry in body[1]} - {PSEUDO_ROOT_ID}
