"""A real private smbd per test, and smbclient to reach it (one command per connection,
or a long-lived session fed through a pipe)."""

from __future__ import annotations

import os
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from abaca.share.protocols.samba import SambaServer
from tests.fixtures.procs import free_port, pids_running_from

# smbclient prints NT status codes; these are the ones a refused client gets.
REFUSED = ("NT_STATUS_ACCESS_DENIED", "NT_STATUS_LOGON_FAILURE", "NT_STATUS_BAD_NETWORK_NAME",
           "NT_STATUS_NETWORK_ACCESS_DENIED")
WRITE_REFUSED = ("NT_STATUS_ACCESS_DENIED", "NT_STATUS_MEDIA_WRITE_PROTECTED")


def wait_gone(workdir: Path, timeout: float = 10) -> set[int]:
    """Children of a stopped smbd notice it and exit on their own, a moment later."""
    deadline = time.monotonic() + timeout
    while (left := pids_running_from(workdir)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


@dataclass
class SmbClient:
    """smbclient against one server; ``prefix`` runs it in a client network namespace."""

    host: str
    port: int
    scratch: Path
    prefix: Sequence[str] = ()

    def argv(self, share: str, user: str | None) -> list[str]:
        if user is None:
            credentials = ["-N"]
        else:  # "name" logs in with the password Samba.user() set, "name%password" with its own
            credentials = ["-U", user if "%" in user else f"{user}%{user}-pw"]
        return [*self.prefix, "smbclient", "-p", str(self.port), f"//{self.host}/{share}",
                *credentials]

    def run(self, share: str, user: str | None, command: str) -> str:
        """One connection, one command; stdout and stderr together (smbclient mixes them)."""
        result = subprocess.run([*self.argv(share, user), "-c", command], cwd=self.scratch,
                                capture_output=True, text=True, timeout=30, check=False)
        return result.stdout + result.stderr

    def put(self, share: str, user: str | None, name: str, content: str) -> str:
        (self.scratch / name).write_text(content)
        return self.run(share, user, f"put {name}")

    def get(self, share: str, user: str | None, name: str) -> str | None:
        """The file's content, or None when the read was refused."""
        target = self.scratch / f"got-{name}"
        target.unlink(missing_ok=True)
        out = self.run(share, user, f"get {name} {target.name}")
        return target.read_text() if target.exists() and "NT_STATUS" not in out else None

    def assert_refused(self, share: str, user: str | None) -> None:
        out = self.run(share, user, "ls")
        assert any(code in out for code in REFUSED), out

    def assert_writes(self, share: str, user: str | None, name: str, content: str) -> None:
        out = self.put(share, user, name, content)
        assert "NT_STATUS" not in out, out
        assert self.get(share, user, name) == content

    def assert_reads_only(self, share: str, user: str | None, existing: str,
                          content: str) -> None:
        assert self.get(share, user, existing) == content
        for command in (f"put {existing}", "put new.txt", "mkdir newdir", f"rm {existing}",
                        f"rename {existing} moved.txt"):
            (self.scratch / "new.txt").write_text("refused\n")
            (self.scratch / existing).write_text("refused\n")
            out = self.run(share, user, command)
            assert any(code in out for code in WRITE_REFUSED), (command, out)

    def session(self, share: str, user: str | None) -> SmbSession:
        argv = self.argv(share, user)  # line-buffered, so a test sees each answer as it comes
        at = argv.index("smbclient")
        return SmbSession(subprocess.Popen(
            [*argv[:at], "stdbuf", "-oL", *argv[at:]], cwd=self.scratch, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))


@dataclass
class SmbSession:
    """One smbclient connection kept open; commands go in through its standard input and
    what it prints is collected by a reader thread, so a test can wait for an answer."""

    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    ended_early: bool = False  # smbclient had exited before finish() asked it to

    def __post_init__(self) -> None:
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    def output(self) -> str:
        return "".join(self.lines)

    def send(self, *commands: str) -> bool:
        """False when the session is already over (the server may end it on a deny)."""
        assert self.proc.stdin is not None
        try:
            for command in commands:
                self.proc.stdin.write(command + "\n")
            self.proc.stdin.flush()
        except BrokenPipeError:
            return False
        return True

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output():
            assert time.monotonic() < deadline, (text, self.output())
            time.sleep(0.05)

    def finish(self) -> str:
        """Quit and return everything the session printed."""
        self.ended_early = self.proc.poll() is not None
        self.send("exit")
        try:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        self.proc.wait(30)
        self.reader.join(10)
        return self.output()

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.reader.join(10)


@dataclass
class Samba:
    server: SambaServer
    client: SmbClient
    tmp: Path
    seen_pids: set[int] = field(default_factory=set)

    def remember_pid(self) -> None:
        if self.server.pid is not None:
            self.seen_pids.add(self.server.pid)

    def share_dir(self, name: str) -> Path:
        path = self.tmp / "data" / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def user(self, name: str) -> str:
        """A Samba user whose password the client helper knows."""
        self.server.ensure_user(name, f"{name}-pw")
        return name


def require_samba() -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root (smbd)")
    for tool in ("smbd", "net", "smbcontrol", "pdbedit", "smbpasswd", "smbclient"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            pytest.skip(f"{tool} is not installed")


SYSTEM_SAMBA = ("/etc/samba", "/var/lib/samba", "/var/cache/samba", "/run/samba")


def system_samba_state() -> dict[str, tuple[int, int]]:
    """Every file of the system's Samba with its size and mtime: ours must not touch it."""
    state = {}
    for top in SYSTEM_SAMBA:
        for path in [Path(top), *Path(top).rglob("*")] if Path(top).exists() else []:
            info = path.lstat()
            state[str(path)] = (info.st_size if path.is_file() else 0, info.st_mtime_ns)
    return state


def start_samba(tmp_path: Path, host: str, port: int, prefix: Sequence[str] = (),
                client_prefix: Sequence[str] = ()) -> Iterator[Samba]:
    system_before = system_samba_state()
    workdir = tmp_path / "samba"
    scratch = tmp_path / "client"
    scratch.mkdir()
    server = SambaServer(workdir, host, port, prefix)
    env = Samba(server, SmbClient(host, port, scratch, client_prefix), tmp_path)
    server.start()
    env.remember_pid()
    try:
        yield env
    finally:
        env.remember_pid()
        server.stop()
        assert env.seen_pids, "the server never ran"
        for pid in env.seen_pids:
            assert not Path(f"/proc/{pid}").exists(), f"smbd {pid} is still there"
        assert wait_gone(workdir) == set()
        assert system_samba_state() == system_before
        assert (workdir / "state" / "registry.tdb").exists()  # the registry is ours


@pytest.fixture
def samba(tmp_path: Path) -> Iterator[Samba]:
    require_samba()
    yield from start_samba(tmp_path, "127.0.0.1", free_port())
