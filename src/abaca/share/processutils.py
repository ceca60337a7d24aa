"""Running commands and supervising daemons, without a shell.

Every argument is a separate argv element; nothing is ever interpreted by a shell.
A ``prefix`` (e.g. ``["ip", "netns", "exec", "ns1"]``) runs the same thing inside a
network namespace.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from abaca.common.errors import DriverError

LOG = logging.getLogger(__name__)


class CommandError(DriverError):
    """A command failed; ``stderr`` is kept for the log, not shown to tenants."""

    def __init__(self, argv: Sequence[str], returncode: int | None, stdout: str,
                 stderr: str) -> None:
        self.argv = list(argv)
        self.returncode = returncode
        self.stdout = stdout
        self.stderr = stderr
        what = "timed out" if returncode is None else f"exited with {returncode}"
        super().__init__(f"{argv[0]} {what}: {stderr.strip()[-500:]}")


def run(argv: Sequence[str], *, prefix: Sequence[str] = (), timeout: float = 60,
        check: bool = True, stdin: str | None = None,
        env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = [*prefix, *argv]
    LOG.debug("run %s", full)
    try:
        result = subprocess.run(full, input=stdin, capture_output=True, text=True,
                                timeout=timeout, check=False,
                                env={**os.environ, **env} if env else None)
    except subprocess.TimeoutExpired as exc:
        raise CommandError(full, None, str(exc.stdout or ""), str(exc.stderr or "")) from exc
    if check and result.returncode != 0:
        raise CommandError(full, result.returncode, result.stdout, result.stderr)
    return result


class Daemon:
    """One long-running process we start, watch and stop (by its PID, nothing else).

    The PID goes to ``pidfile`` so that a restarted share service can find and stop a
    daemon left from its previous life instead of starting a second one.
    """

    def __init__(self, name: str, argv: Sequence[str], *, pidfile: Path, logfile: Path,
                 prefix: Sequence[str] = (), env: Mapping[str, str] | None = None) -> None:
        self.name = name
        self.argv = [*prefix, *argv]
        self.program = os.path.basename(argv[0])
        self.pidfile = pidfile
        self.logfile = logfile
        self.env = dict(env or {})
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        if self._proc is not None and self._proc.poll() is None:
            return self._proc.pid
        return None

    def alive(self) -> bool:
        return self.pid is not None

    def start(self, ready: Callable[[], bool] | None = None, timeout: float = 20) -> None:
        """Start (stopping a stale one from the pidfile first) and wait until ``ready``."""
        if self.alive():
            return
        self.stop_stale()
        self.logfile.parent.mkdir(parents=True, exist_ok=True)
        with self.logfile.open("ab") as log:
            self._proc = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL,
                                          env={**os.environ, **self.env},
                                          start_new_session=True)
        self.pidfile.write_text(str(self._proc.pid))
        LOG.info("%s started (pid %d)", self.name, self._proc.pid)
        deadline = time.monotonic() + timeout
        while ready is not None and not ready():
            if not self.alive():
                raise DriverError(f"{self.name} exited at start; see {self.logfile}")
            if time.monotonic() > deadline:
                self.stop()
                raise DriverError(f"{self.name} did not become ready in {timeout:.0f} s; "
                                  f"see {self.logfile}")
            time.sleep(0.05)

    def stop(self, timeout: float = 10) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        self.pidfile.unlink(missing_ok=True)

    def stop_stale(self) -> None:
        """Stop the process a previous life of the service left, if it is still ours."""
        try:
            pid = int(self.pidfile.read_text().strip())
        except (FileNotFoundError, ValueError):
            return
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        except OSError:
            cmdline = []
        # Only a process running the same program is ours to stop: PIDs get reused.
        if cmdline and any(os.path.basename(part.decode(errors="replace")) == self.program
                           for part in cmdline[:6]):
            LOG.info("%s: stopping stale pid %d", self.name, pid)
            _terminate(pid)
        self.pidfile.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    """Running, not merely a zombie waiting to be reaped (which kill(pid, 0) reports)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _terminate(pid: int, timeout: float = 10) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
