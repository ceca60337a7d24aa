"""A supervised NFS-Ganesha whose exports change at run time over D-Bus.

Each server has a work directory holding everything it needs: its own ``dbus-daemon``
(Ganesha insists on a system bus; this one only lets root own and call Ganesha), its
``ganesha.conf``, log, pidfiles, NFSv4 recovery directory, and one file per export under
``exports/``. Exports are added, updated and removed with the export manager (milliseconds
each, however many exports there are) rather than SIGHUP reloads (which cost time per
existing export); the files are what a restarted Ganesha serves again, so every D-Bus
change is made to its file first, and the file is put back if Ganesha refuses it.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path

from abaca.common.errors import DriverError
from abaca.share.processutils import Daemon
from abaca.share.protocols import ganesha_config as config
from abaca.share.protocols import paths
from abaca.share.protocols.ganesha_dbus import ExportManager, GaneshaDBusError, bus_config
from abaca.share.protocols.rules import IpRule

LOG = logging.getLogger(__name__)

_EXPORT_FILE = re.compile(r"(\d{1,5})\.conf")


class GaneshaServer:
    """One ``ganesha.nfsd`` (NFSv4 only) serving ``bind_address:port``.

    ``prefix`` runs both daemons through a command prefix, e.g.
    ``["ip", "netns", "exec", "ns1"]`` to serve from inside a network namespace. Methods
    are safe to call from several threads; export changes are serialised.
    """

    def __init__(self, workdir: Path, bind_address: str, port: int = 2049,
                 prefix: Sequence[str] = ()) -> None:
        self.workdir = Path(paths.validate_path(str(Path(workdir).absolute()),
                                                 "work directory"))
        self.bind_address = config.validate_bind_address(bind_address)
        self.port = config.validate_port(port)
        self.prefix = list(prefix)
        self.exports_dir = self.workdir / "exports"
        self.bus_address = f"unix:path={self.workdir / 'dbus.sock'}"
        self._lock = threading.RLock()
        self._export_mgr = ExportManager(self.bus_address)
        self._bus = Daemon(
            "dbus-daemon (ganesha)",
            ["dbus-daemon", "--nofork", f"--config-file={self.workdir / 'dbus.conf'}",
             f"--address={self.bus_address}"],
            pidfile=self.workdir / "dbus.pid", logfile=self.workdir / "dbus.log",
            prefix=self.prefix)
        # Ganesha writes and locks the same pidfile the Daemon writes (same PID, -F).
        self._ganesha = Daemon(
            "ganesha.nfsd",
            ["ganesha.nfsd", "-F", "-f", str(self.workdir / "ganesha.conf"),
             "-L", str(self.workdir / "ganesha.log"), "-p", str(self.workdir / "ganesha.pid")],
            pidfile=self.workdir / "ganesha.pid", logfile=self.workdir / "ganesha.out",
            prefix=self.prefix, env={"DBUS_SYSTEM_BUS_ADDRESS": self.bus_address})

    # -- processes ------------------------------------------------------------------

    @property
    def pids(self) -> dict[str, int | None]:
        """PIDs of the two daemons this object runs (None when not running)."""
        return {"ganesha": self._ganesha.pid, "dbus": self._bus.pid}

    def start(self, timeout: float = 30) -> None:
        """Start the bus and Ganesha (stopping ones left by an earlier life first).

        Does nothing if both run; Ganesha does not reconnect to a new bus, so it is
        restarted along with a bus that died.
        """
        with self._lock:
            if self._bus.alive() and self._ganesha.alive():
                return
            for directory in (self.exports_dir, self.workdir / "recovery",
                              self.workdir / "krb5"):
                directory.mkdir(parents=True, exist_ok=True)
            self._ganesha.stop()
            # An old Ganesha goes before its bus: it would keep a stale connection.
            self._ganesha.stop_stale()
            self._start_bus(timeout)
            files = [self._export_file(i) for i in sorted(self.configured_exports())]
            _write_atomically(self.workdir / "ganesha.conf", config.render_main_config(
                self.workdir, self.bind_address, self.port, files))
            try:
                self._ganesha.start(ready=self._export_mgr.ping, timeout=timeout)
            except Exception:
                self._bus.stop()  # a failed start leaves nothing running
                raise
            LOG.info("NFS-Ganesha serving %s:%d with %d exports from %s", self.bind_address,
                     self.port, len(files), self.exports_dir)

    def _start_bus(self, timeout: float) -> None:
        if self._bus.alive():
            return
        self._bus.stop_stale()
        (self.workdir / "dbus.conf").write_text(bus_config(self.bus_address))
        (self.workdir / "dbus.sock").unlink(missing_ok=True)
        self._export_mgr.close()
        self._bus.start(ready=(self.workdir / "dbus.sock").exists, timeout=timeout)

    def ensure_running(self) -> bool:
        """Start whatever died (Ganesha then serves its export files); True if it did."""
        with self._lock:
            if self._bus.alive() and self._ganesha.alive():
                return False
            LOG.warning("NFS-Ganesha in %s is not running; starting it", self.workdir)
            self.start()
            return True

    def stop(self) -> None:
        """Stop Ganesha and its bus; the export files stay for the next start."""
        with self._lock:
            self._export_mgr.close()
            self._ganesha.stop()
            self._ganesha.stop_stale()
            self._bus.stop()
            self._bus.stop_stale()
            (self.workdir / "dbus.sock").unlink(missing_ok=True)

    # -- exports --------------------------------------------------------------------

    def export(self, export_id: int, path: str, pseudo: str, rules: Sequence[IpRule]) -> None:
        """Add or update an export so that exactly ``rules`` reach it (none: nobody)."""
        text = config.render_export(export_id, path, pseudo, rules)  # validates everything
        if not os.path.isdir(path):
            LOG.warning("Cannot export %s (export %d): not a directory", path, export_id)
            raise DriverError("The share's directory is missing on the server.")
        conf = self._export_file(export_id)
        with self._lock:
            previous = _read_text(conf)
            _write_atomically(conf, text)
            try:
                self._apply(export_id, conf, path, pseudo, previous)
            except GaneshaDBusError as exc:
                # Put the file back so that it keeps matching what Ganesha serves.
                LOG.warning("NFS-Ganesha refused %s of export %d: %s", exc.method,
                            export_id, exc.detail)
                if previous is None:
                    conf.unlink(missing_ok=True)
                else:
                    _write_atomically(conf, previous)
                raise

    def _apply(self, export_id: int, conf: Path, path: str, pseudo: str,
               previous: str | None) -> None:
        if previous is None and self._export_mgr.add(conf, export_id):
            return  # the usual case, in one call
        active_path = self._export_mgr.active_path(export_id)
        if active_path is None:
            self._export_mgr.add(conf, export_id)
            return
        location = config.parse_export_location(previous) if previous else None
        if active_path == path and location == (path, pseudo):
            self._export_mgr.update(conf, export_id)
            return
        # Ganesha 4.3 cannot change an active export's Path, and a changed Pseudo does
        # not take effect on update: replace the export.
        self._export_mgr.remove(export_id)
        self._export_mgr.add(conf, export_id)

    def unexport(self, export_id: int) -> None:
        """Remove the export (an unknown one is fine) and its file."""
        config.validate_export_id(export_id)
        with self._lock:
            self._export_mgr.remove(export_id)
            self._export_file(export_id).unlink(missing_ok=True)

    def active_exports(self) -> set[int]:
        """Ids Ganesha serves now (ShowExports), without its pseudo root."""
        return self._export_mgr.export_ids()

    def configured_exports(self) -> set[int]:
        """Ids that have an export file, i.e. what a (re)started Ganesha serves."""
        try:
            names = os.listdir(self.exports_dir)
        except FileNotFoundError:
            return set()
        ids = {int(m[1]) for m in map(_EXPORT_FILE.fullmatch, names) if m}
        return {i for i in ids if config.MIN_EXPORT_ID <= i <= config.MAX_EXPORT_ID}

    def _export_file(self, export_id: int) -> Path:
        return self.exports_dir / f"{config.validate_export_id(export_id)}.conf"


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text()
    except FileNotFoundError:
        return None


def _write_atomically(path: Path, text: str) -> None:
    """Readers (Ganesha, a later start) see the old file or the new one, never half."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(tmp, path)
