"""A private smbd serving registry shares: the CIFS protocol helper.

Everything lives under one work directory: smb.conf, the registry (``state/registry.tdb``),
the user database, locks, logs, and the generated share and per-address files. Every
Samba tool is called with ``-s <workdir>/smb.conf``, so the system's Samba is never read
or changed.

Samba users and Unix accounts: smbd refuses a user from its passdb that ``getpwnam()``
does not know. Rather than creating system accounts, smbd and the Samba tools run with
nss_wrapper (Debian ``libnss-wrapper``, the library Samba's own test suite uses), which
answers ``getpwnam()`` from a passwd file in the work directory. Every Samba user there is
the same Unix identity, ``file_owner`` (root by default, like the driver that creates the
share directories and the NFS server): Samba enforces who may read and write (hosts, users,
``read only``), and files written over SMB get one owner whichever user wrote them. No
account outlives the work directory, and no other program on the host sees one.

A registry share is replaced by one ``net conf import``, which deletes and re-creates the
share in one registry transaction, so the result is exactly the section imported (the
share name must be given: without it, import replaces the whole registry). Samba checks
hosts, users and ``read only`` at tree connect only, and a client's smbd process keeps
the share settings it loaded. So when clients are connected, a change that takes access
away from anyone is followed by ``smbcontrol smbd close-share`` (which also makes each
process re-read the registry) and share() returns once every process has handled it; a
change that only gives access is followed by ``smbcontrol smbd reload-config``.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import sysconfig
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from abaca.common.errors import DriverError, Invalid
from abaca.share.processutils import CommandError, Daemon, run
from abaca.share.protocols import paths
from abaca.share.protocols import samba_config as config
from abaca.share.protocols.rules import IpRule, UserRule

LOG = logging.getLogger(__name__)

_PORT_PROBE = ("import socket, sys\n"
               "socket.create_connection((sys.argv[1], int(sys.argv[2])), 1).close()\n")
_DIRS = ("private", "lock", "state", "cache", "pid", "ncalrpc", "bind-dns", "usershares",
         "log", "nss", "shares", "access")


class SambaServer:
    """One private smbd with its own config, registry shares and users."""

    def __init__(self, workdir: Path, bind_address: str, port: int = 445,
                 prefix: Sequence[str] = (), *, file_owner: tuple[int, int] = (0, 0)) -> None:
        self.workdir = Path(paths.validate_path(str(workdir), "Samba work directory"))
        self.bind_address = config.validate_bind_address(bind_address)
        self.port = config.validate_port(port)
        self.prefix = list(prefix)
        if any(isinstance(i, bool) or not isinstance(i, int) or i < 0 for i in file_owner):
            raise Invalid("The file owner must be a (uid, gid) pair.")
        self.file_owner = file_owner
        self.conf = self.workdir / "smb.conf"
        self._users_lock = threading.Lock()
        self._env: dict[str, str] | None = None
        self._daemon = Daemon(
            "smbd", ["smbd", "--foreground", "--no-process-group", "-s", str(self.conf)],
            pidfile=self.workdir / "smbd.daemon.pid", logfile=self.workdir / "log" / "smbd.out",
            prefix=self.prefix)
        # smbd starts samba-dcerpcd on demand (share listing, srvsvc); it lives in its
        # own session and outlives smbd, so it is stopped through its pid file.
        self._dcerpcd = Daemon(
            "samba-dcerpcd", ["samba-dcerpcd"], pidfile=self.workdir / "pid" / "samba-dcerpcd.pid",
            logfile=self.workdir / "log" / "samba-dcerpcd.out")

    # -- the daemon -------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        return self._daemon.pid

    def start(self) -> None:
        """Write the config and start smbd (stopping one a previous life left behind)."""
        for name in _DIRS:
            (self.workdir / name).mkdir(parents=True, exist_ok=True)
        _write(self.conf, config.render_global(config.GlobalSettings(
            str(self.workdir), self.bind_address, self.port)))
        with self._users_lock:
            self._write_passwd(self._passwd_users())
        self._dcerpcd.stop_stale()
        self._daemon.env = self._samba_env()
        self._daemon.start(ready=self._ready)

    def stop(self) -> None:
        self._daemon.stop()
        self._dcerpcd.stop_stale()

    def ensure_running(self) -> bool:
        """Start smbd again if it died (the registry shares come back with it); True if
        it had to."""
        if self._daemon.alive():
            return False
        LOG.warning("smbd on %s:%d is not running; starting it", self.bind_address, self.port)
        self.start()
        return True

    def _ready(self) -> bool:
        if not self._port_open():
            return False
        # The port could be someone else's: our smbd answers once it is listening.
        result = self._samba(["smbcontrol", "smbd", "ping"], check=False, timeout=5)
        return result.returncode == 0 and f"pid {self._daemon.pid}" in result.stdout

    def _port_open(self) -> bool:
        if not self.prefix:
            try:
                socket.create_connection((self.bind_address, self.port), 1).close()
            except OSError:
                return False
            return True
        probe = run([sys.executable, "-c", _PORT_PROBE, self.bind_address, str(self.port)],
                    prefix=self.prefix, check=False, timeout=5)
        return probe.returncode == 0

    # -- shares -----------------------------------------------------------------------

    def share(self, name: str, path: str, ip_rules: Sequence[IpRule],
              user_rules: Sequence[UserRule]) -> None:
        """Add or replace a share so that exactly these rules apply (one net conf import).

        Concurrent calls for the same share must be serialised by the caller.
        """
        name = config.validate_share_name(name)
        path = paths.validate_path(path)
        access = config.plan_access(ip_rules, user_rules)
        new = config.RuleSet.of(path, ip_rules, user_rules)
        include = None
        if access.host_overrides:
            include_dir = self.workdir / "access" / name / access.overrides_id
            include_dir.mkdir(parents=True, exist_ok=True)
            for address, read_only in access.host_overrides:
                _write(include_dir / f"{address}.conf", config.render_override(read_only))
            include = f"{include_dir}/%I.conf"
        text = config.render_share(name, path, access, include)

        state = self._state_file(name)
        old = config.RuleSet.from_json(state.read_text()) if state.exists() else None
        # Until the import is known to have happened, either rule set may be in force.
        _write(state, (old.union(new) if old else new).to_json())
        section = self.workdir / "shares" / f"{name}.conf"
        _write(section, text)
        self._samba(["net", "conf", "import", str(section), name])
        _write(state, new.to_json())
        # A process that serves no client yet reads the registry afresh when one connects.
        if old is not None and old != new and self._may_have_clients():
            if old.narrowed_by(new):
                self.close_share(name)
            else:
                self._reload_config()
        self._prune_overrides(name, access.overrides_id if access.host_overrides else None)

    def unshare(self, name: str) -> None:
        """Remove a share (a missing one is fine) and end the sessions using it."""
        name = config.validate_share_name(name)
        result = self._samba(["net", "conf", "delshare", name], check=False)
        missing = "SBC_ERR_NO_SUCH_SERVICE" in result.stderr + result.stdout
        if result.returncode != 0 and not missing:
            raise CommandError(result.args, result.returncode, result.stdout, result.stderr)
        self.close_share(name)
        self._state_file(name).unlink(missing_ok=True)
        (self.workdir / "shares" / f"{name}.conf").unlink(missing_ok=True)
        self._prune_overrides(name, None)

    def close_share(self, name: str) -> None:
        """Disconnect every client from a share; they must connect (and be checked) again.

        Returns once every smbd process has handled the disconnect: smbcontrol only drops
        a message at the parent smbd, which passes it on to the process of each client.
        """
        name = config.validate_share_name(name)
        result = self._samba(["smbcontrol", "smbd", "close-share", name], check=False)
        if result.returncode != 0:
            if "Can't find pid" in result.stderr + result.stdout or not self._daemon.alive():
                return  # no smbd, so no session either
            raise CommandError(result.args, result.returncode, result.stdout, result.stderr)
        self._wait_for_messages()

    def _reload_config(self) -> None:
        """Make every smbd process drop the share settings it holds.

        A client's smbd process keeps a share it once connected to (or was refused) and
        re-reads the registry on its own only every 3 minutes (SMBD_RELOAD_CHECK): without
        this, a wider rule would reach an already connected client that late. Not waited
        for (a wider rule may reach such a client a few milliseconds late); a process that
        handles close-share reloads anyway, so narrowing changes need no reload.
        """
        self._samba(["smbcontrol", "smbd", "reload-config"], check=False)

    def _wait_for_messages(self) -> None:
        # Each process handles its messages in order: once the parent answers a ping it
        # has passed the earlier message on, and once a child answers, it has handled it.
        self._samba(["smbcontrol", "smbd", "ping"], check=False, timeout=10)
        children = self._client_processes()
        if not children:
            return
        with ThreadPoolExecutor(max_workers=min(8, len(children))) as pool:
            list(pool.map(lambda pid: self._samba(["smbcontrol", str(pid), "ping"],
                                                   check=False, timeout=10), children))

    def _may_have_clients(self) -> bool:
        return self._daemon.pid is None or bool(self._client_processes())

    def _client_processes(self) -> list[int]:
        """The smbd children serving clients (not smbd-notifyd or smbd-cleanupd)."""
        parent = self._daemon.pid
        if parent is None:
            return []
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                comm, rest = (entry / "stat").read_text().rsplit(")", 1)
            except OSError:
                continue
            if comm.endswith("(smbd") and int(rest.split()[1]) == parent:
                found.append(int(entry.name))
        return found

    def shares(self) -> set[str]:
        result = self._samba(["net", "conf", "listshares"])
        return {line.strip() for line in result.stdout.splitlines()
                if line.strip() and line.strip().lower() != "global"}

    def _state_file(self, name: str) -> Path:
        return self.workdir / "shares" / f"{name}.json"

    def _prune_overrides(self, name: str, keep: str | None) -> None:
        share_dir = self.workdir / "access" / name
        if not share_dir.is_dir():
            return
        for child in share_dir.iterdir():
            if child.name != keep:
                shutil.rmtree(child, ignore_errors=True)
        if keep is None:
            share_dir.rmdir()

    # -- users ------------------------------------------------------------------------

    def ensure_user(self, name: str, password: str) -> None:
        """Create a Samba user or set its password (given on stdin, never as an argument)."""
        name = config.validate_user(name)
        password = config.validate_password(password)
        with self._users_lock:
            users = self._passwd_users()
            if name not in users:
                self._write_passwd([*users, name])
            self._samba(["smbpasswd", "-s", "-a", name], stdin=f"{password}\n{password}\n")

    def remove_user(self, name: str) -> None:
        """Delete a Samba user; a missing one is fine. Its open sessions are not ended."""
        name = config.validate_user(name)
        with self._users_lock:
            result = self._samba(["pdbedit", "-x", name], check=False)
            if result.returncode != 0 and name in self._passdb_users():
                raise CommandError(result.args, result.returncode, result.stdout, result.stderr)
            self._write_passwd([user for user in self._passwd_users() if user != name])

    def _passdb_users(self) -> set[str]:
        result = self._samba(["pdbedit", "-L"])
        return {line.split(":", 1)[0] for line in result.stdout.splitlines() if ":" in line}

    def _passwd_users(self) -> list[str]:
        passwd = self.workdir / "nss" / "passwd"
        if not passwd.exists():
            return []
        names = [line.split(":", 1)[0] for line in passwd.read_text().splitlines()]
        return [name for name in names if name and name not in config.RESERVED_USERS]

    def _write_passwd(self, users: Sequence[str]) -> None:
        uid, gid = self.file_owner
        _write(self.workdir / "nss" / "group", config.render_group(gid))
        _write(self.workdir / "nss" / "passwd", config.render_passwd(users, uid, gid))

    # -- running Samba tools ----------------------------------------------------------

    def _samba_env(self) -> dict[str, str]:
        if self._env is None:
            library = _find_nss_wrapper()
            self._env = {"LD_PRELOAD": str(library),
                         "NSS_WRAPPER_PASSWD": str(self.workdir / "nss" / "passwd"),
                         "NSS_WRAPPER_GROUP": str(self.workdir / "nss" / "group")}
        return self._env

    def _samba(self, argv: Sequence[str], *, check: bool = True, timeout: float = 60,
               stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        """Run a Samba tool on our config: ``-s`` goes right after the program name."""
        full = [argv[0], "-s", str(self.conf), *argv[1:]]
        if argv[0] == "smbpasswd":  # smbpasswd's -s means "password on stdin"
            full = [argv[0], "-c", str(self.conf), *argv[1:]]
        return run(full, prefix=self.prefix, check=check, timeout=timeout, stdin=stdin,
                   env=self._samba_env())


def _find_nss_wrapper() -> Path:
    # Debian ships it without a soname, so ldconfig (and ctypes.util) cannot find it.
    multiarch = sysconfig.get_config_var("MULTIARCH") or ""
    for directory in (f"/usr/lib/{multiarch}", "/usr/lib64", "/usr/lib", "/usr/local/lib"):
        candidate = Path(directory) / "libnss_wrapper.so"
        if candidate.is_file():
            return candidate
    raise DriverError("Samba users need nss_wrapper (Debian package libnss-wrapper).")


def _write(path: Path, text: str) -> None:
    """Replace a file atomically: a reader sees the old or the new content, never half."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
