"""SambaServer against a real smbd on 127.0.0.1, reached with smbclient."""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from abaca.common.errors import Invalid
from abaca.share.protocols.rules import IpRule, UserRule

from .conftest import WRITE_REFUSED, Samba

pytestmark = pytest.mark.e2e

RW = [IpRule("127.0.0.1", "rw")]
RO = [IpRule("127.0.0.1", "ro")]


def test_a_share_without_rules_refuses_everyone(samba: Samba) -> None:
    alice = samba.user("alice")
    samba.server.share("nobody", str(samba.share_dir("nobody")), [], [])

    assert samba.server.shares() == {"nobody"}
    # localhost included: Samba lets it in unless "hosts deny" names it.
    samba.client.assert_refused("nobody", alice)
    samba.client.assert_refused("nobody", None)


def test_ip_rule_rw_then_ro(samba: Samba) -> None:
    alice = samba.user("alice")
    data = samba.share_dir("a")

    samba.server.share("a", str(data), RW, [])
    samba.client.assert_writes("a", alice, "hello.txt", "written over SMB\n")
    assert (data / "hello.txt").read_text() == "written over SMB\n"
    samba.client.assert_refused("a", None)  # an IP rule does not let anonymous in
    out = samba.client.run("a", "alice-typo", "ls")
    assert "NT_STATUS_LOGON_FAILURE" in out

    samba.server.share("a", str(data), RO, [])
    samba.client.assert_reads_only("a", alice, "hello.txt", "written over SMB\n")
    assert sorted(p.name for p in data.iterdir()) == ["hello.txt"]
    assert (data / "hello.txt").read_text() == "written over SMB\n"

    samba.server.share("a", str(data), [IpRule("10.0.0.0/8", "rw")], [])
    samba.client.assert_refused("a", alice)


def test_user_rules(samba: Samba) -> None:
    alice, bob, carol = samba.user("alice"), samba.user("bob"), samba.user("carol")
    data = samba.share_dir("u")
    (data / "existing.txt").write_text("old\n")

    samba.server.share("u", str(data), [], [UserRule("alice", "rw"), UserRule("Bob", "ro")])
    samba.client.assert_writes("u", alice, "from-alice.txt", "alice was here\n")
    assert (data / "from-alice.txt").read_text() == "alice was here\n"
    samba.client.assert_reads_only("u", bob, "existing.txt", "old\n")
    samba.client.assert_refused("u", carol)  # a Samba user without a rule
    samba.client.assert_refused("u", "mallory")  # not a Samba user at all
    samba.client.assert_refused("u", None)
    assert samba.client.run("u", "ALICE%alice-pw", "ls").count("from-alice.txt") == 1  # case-blind

    # Both kinds of rule: the address and the user must both allow a write.
    samba.server.share("u", str(data), RO, [UserRule("alice", "rw")])
    samba.client.assert_reads_only("u", alice, "from-alice.txt", "alice was here\n")
    samba.client.assert_refused("u", bob)


def test_deny_ends_an_open_session(samba: Samba) -> None:
    alice = samba.user("alice")
    data = samba.share_dir("s")
    samba.server.share("s", str(data), RW, [UserRule("alice", "rw")])
    (samba.client.scratch / "one.txt").write_text("one\n")
    (samba.client.scratch / "two.txt").write_text("two\n")

    session = samba.client.session("s", alice)
    try:
        session.send("put one.txt")
        deadline = time.monotonic() + 10
        written = data / "one.txt"
        while time.monotonic() < deadline and not (
                written.exists() and written.read_text() == "one\n"):
            time.sleep(0.05)  # smbclient creates the file, then writes it
        assert written.read_text() == "one\n"

        samba.server.share("s", str(data), RW, [])  # the user rule is denied
        session.send("put two.txt", "get one.txt back.txt", "ls")
        out = session.finish()
    finally:
        session.close()
    assert "NT_STATUS_NETWORK_NAME_DELETED opening remote file \\two.txt" in out, out
    assert "NT_STATUS_NETWORK_NAME_DELETED opening remote file \\one.txt" in out, out
    assert "NT_STATUS_NETWORK_NAME_DELETED listing" in out, out
    assert not (data / "two.txt").exists()
    assert not (samba.client.scratch / "back.txt").exists()


def test_downgrade_ends_an_open_session_and_it_cannot_write(samba: Samba) -> None:
    alice = samba.user("alice")
    data = samba.share_dir("d")
    samba.server.share("d", str(data), RW, [])
    (samba.client.scratch / "one.txt").write_text("one\n")

    session = samba.client.session("d", alice)
    try:
        session.send("ls")
        session.wait_for("blocks available")
        samba.server.share("d", str(data), RO, [])
        session.send("put one.txt")
        out = session.finish()
    finally:
        session.close()
    assert "NT_STATUS_NETWORK_NAME_DELETED" in out, out
    assert not (data / "one.txt").exists()
    # A new connection gets the new level.
    out = samba.client.put("d", alice, "one.txt", "one\n")
    assert any(code in out for code in WRITE_REFUSED), out


def test_a_narrower_ro_rule_inside_an_rw_network_ends_the_session(samba: Samba) -> None:
    alice = samba.user("alice")
    data = samba.share_dir("n")
    samba.server.share("n", str(data), [IpRule("127.0.0.0/8", "rw")], [])
    (samba.client.scratch / "one.txt").write_text("one\n")
    session = samba.client.session("n", alice)
    try:
        session.send("ls")
        session.wait_for("blocks available")
        # Every old rule is still there, but 127.0.0.1 now has a more specific ro rule.
        samba.server.share("n", str(data), [IpRule("127.0.0.0/8", "rw"),
                                            IpRule("127.0.0.1", "ro")], [])
        session.send("put one.txt")
        out = session.finish()
    finally:
        session.close()
    assert "NT_STATUS_NETWORK_NAME_DELETED" in out, out
    assert not (data / "one.txt").exists()
    out = samba.client.put("n", alice, "one.txt", "one\n")
    assert any(code in out for code in WRITE_REFUSED), out


def test_a_wider_rule_reaches_an_already_connected_client(samba: Samba) -> None:
    alice = samba.user("alice")
    data = samba.share_dir("late")
    samba.server.share("late", str(data), [IpRule("10.0.0.1", "rw")], [])
    samba.server.share("other", str(samba.share_dir("other")), RW, [])
    (samba.client.scratch / "one.txt").write_text("one\n")
    # One connection (one smbd process) that first is refused, then allowed.
    session = samba.client.session("other", alice)
    try:
        session.send("tcon late")
        session.wait_for("tcon failed: NT_STATUS_ACCESS_DENIED")
        samba.server.share("late", str(data), [IpRule("10.0.0.1", "rw"), *RW], [])
        # a wider rule is not waited for: the connected smbd reloads its config in a moment
        deadline = time.monotonic() + 10
        while "tcon to late successful" not in session.output():
            assert time.monotonic() < deadline, session.output()
            session.send("tcon late")
            time.sleep(0.3)
        session.send("put one.txt")
        out = session.finish()
    finally:
        session.close()
    before, _, _ = out.partition("tcon to late successful")
    assert "tcon failed: NT_STATUS_ACCESS_DENIED" in before, out
    assert "tcon to late successful" in out, out
    assert (data / "one.txt").read_text() == "one\n"


def test_an_unchanged_or_wider_share_keeps_sessions(samba: Samba) -> None:
    alice = samba.user("alice")
    data = samba.share_dir("k")
    samba.server.share("k", str(data), RO, [])
    (samba.client.scratch / "one.txt").write_text("one\n")
    session = samba.client.session("k", alice)
    try:
        session.send("ls")
        session.wait_for("blocks available")
        samba.server.share("k", str(data), RO, [])
        samba.server.share("k", str(data), [*RO, IpRule("10.1.0.0/16", "ro")], [])
        session.send("ls")
        out = session.finish()
    finally:
        session.close()
    assert "NT_STATUS_NETWORK_NAME_DELETED" not in out, out


def test_unshare(samba: Samba) -> None:
    alice = samba.user("alice")
    samba.server.share("gone", str(samba.share_dir("gone")), RW, [])
    samba.server.share("kept", str(samba.share_dir("kept")), RW, [])

    samba.server.unshare("gone")
    assert samba.server.shares() == {"kept"}
    out = samba.client.run("gone", alice, "ls")
    assert "NT_STATUS_BAD_NETWORK_NAME" in out, out
    samba.server.unshare("gone")  # a missing share is fine
    samba.server.unshare("never-existed")
    assert not (samba.server.workdir / "shares" / "gone.conf").exists()
    samba.client.assert_writes("kept", alice, "still.txt", "still\n")


def test_share_listing_works_and_its_rpc_helper_stops_with_smbd(samba: Samba) -> None:
    alice = samba.user("alice")
    samba.server.share("listed", str(samba.share_dir("listed")), RW, [])
    # Share enumeration makes smbd start samba-dcerpcd, in a session of its own; the
    # fixture's teardown checks that stop() ends it too.
    result = subprocess.run(["smbclient", "-p", str(samba.client.port), "-L", "127.0.0.1",
                             "-U", f"{alice}%{alice}-pw"], capture_output=True, text=True,
                            timeout=30, check=False)
    assert "listed" in result.stdout, result.stdout + result.stderr
    with pytest.raises(Invalid):
        type(samba.server)(samba.server.workdir, "127.0.0.1", file_owner=(-1, 0))


def test_share_replaces_the_whole_section(samba: Samba) -> None:
    samba.user("alice")
    data = samba.share_dir("r")
    samba.server.share("r", str(data), [IpRule("127.0.0.1", "rw"), IpRule("10.0.0.9", "ro")],
                       [UserRule("alice", "ro")])
    samba.server.share("r", str(data), RW, [])
    out = samba.server._samba(["net", "conf", "showshare", "r"]).stdout
    assert "10.0.0.9" not in out
    assert "read list" not in out and "valid users" not in out and "include" not in out
    assert not (samba.server.workdir / "access" / "r").exists()


def test_restart_serves_the_registry_shares_again(samba: Samba) -> None:
    alice, bob = samba.user("alice"), samba.user("bob")
    data = samba.share_dir("p")
    samba.server.share("p", str(data), RW, [UserRule("alice", "rw")])
    samba.client.assert_writes("p", alice, "before.txt", "before\n")

    samba.server.stop()
    assert "NT_STATUS_CONNECTION_REFUSED" in samba.client.run("p", alice, "ls")
    samba.server.start()
    samba.remember_pid()
    samba.client.assert_writes("p", alice, "after-stop.txt", "after stop\n")
    samba.client.assert_refused("p", bob)

    old_pid = samba.server.pid
    assert old_pid is not None
    os.kill(old_pid, signal.SIGKILL)
    deadline = time.monotonic() + 5
    while samba.server.pid is not None and time.monotonic() < deadline:
        time.sleep(0.01)  # the kill takes a moment to land
    samba.server.ensure_running()
    samba.remember_pid()
    assert samba.server.pid not in (None, old_pid)
    samba.client.assert_writes("p", alice, "after-kill.txt", "after kill\n")
    samba.client.assert_refused("p", bob)
    samba.server.ensure_running()  # running: nothing to do
    assert samba.server.shares() == {"p"}


def test_a_restarted_service_stops_the_smbd_it_left(samba: Samba) -> None:
    alice = samba.user("alice")
    server = samba.server
    server.stop()
    # The previous life of the share service: another process that started smbd, shared
    # and went away without stopping it.
    previous = subprocess.run(
        [sys.executable, "-c", PREVIOUS_LIFE, str(server.workdir), str(server.port),
         str(samba.share_dir("p"))], capture_output=True, text=True, timeout=60, check=False)
    assert previous.returncode == 0, previous.stderr
    left_behind = int(previous.stdout)
    assert _running(left_behind)

    server.start()
    samba.remember_pid()
    assert server.pid != left_behind
    assert not _running(left_behind)
    samba.client.assert_writes("p", alice, "x.txt", "x\n")


PREVIOUS_LIFE = """
import sys
from pathlib import Path
from abaca.share.protocols.rules import IpRule
from abaca.share.protocols.samba import SambaServer
server = SambaServer(Path(sys.argv[1]), "127.0.0.1", int(sys.argv[2]))
server.start()
server.share("p", sys.argv[3], [IpRule("127.0.0.1", "rw")], [])
print(server.pid)
"""


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


HOSTILE_NAMES = ["", "a b", "a\nb", "x" * 81, "global", "GLOBAL", "homes", "printers", "a;b",
                 "a]b", "a$", "..", "a/b", "a%Ib", "é", "-s/etc/samba/smb.conf", "--option=x"]
HOSTILE_PATHS = ["relative/path", "/", "/a/../b", "/a/./b", "/a//b", "/a/", "/a\nb", "/a;b",
                 '/a"b', "/a'b", "/a\0b", "/a%Ub", "/a b", "/a#b", "/a\\b", "/" + "a" * 4096]
HOSTILE_USERS = ["", "-alice", "a b", "a\nb", "a,b", "@admins", "+group", "&netgroup", "a%U",
                 "a" * 33, "root", "Nobody", "alice$", "a;b", "a=b"]
HOSTILE_ADDRESSES = ["", "localhost", "127.0.0.1 10.0.0.1", "127.0.0.1\n", "10.0.0.1/33",
                     "10.0.0.1/24", "fe80::1%eth0", "ALL", "127.0.0.1,10.0.0.1", "EXCEPT",
                     "0x7f000001", "127.1", "1" * 70]


def _written(samba: Samba) -> dict[str, str]:
    """Everything a share() call could have left behind: files and the registry."""
    work = samba.server.workdir
    files = {str(p.relative_to(work)): p.read_text()
             for d in ("shares", "access") for p in (work / d).rglob("*") if p.is_file()}
    files["registry"] = samba.server._samba(["net", "conf", "list"]).stdout
    return files


def test_hostile_values_are_refused_before_anything_is_written(samba: Samba) -> None:
    data = str(samba.share_dir("ok"))
    samba.server.share("ok", data, RW, [UserRule("alice", "rw")])
    before = _written(samba)
    server = samba.server
    bad_level: Any = "RW"
    attempts: list[Callable[[], None]] = [
        *(partial(server.share, n, data, RW, []) for n in HOSTILE_NAMES),
        *(partial(server.share, "ok", p, RW, []) for p in HOSTILE_PATHS),
        *(partial(server.share, "ok", data, RW, [UserRule(u, "rw")]) for u in HOSTILE_USERS),
        *(partial(server.share, "ok", data, [IpRule(a, "rw")], []) for a in HOSTILE_ADDRESSES),
        partial(server.share, "ok", data, [IpRule("127.0.0.1", bad_level)], []),
        partial(server.share, "ok", data, [], [UserRule("alice", bad_level)]),
        # rw and ro networks on one share cannot be told apart per address
        partial(server.share, "ok", data, [IpRule("10.0.0.0/24", "rw"),
                                           IpRule("10.1.0.0/24", "ro")], []),
        *(partial(server.unshare, n) for n in HOSTILE_NAMES),
        *(partial(server.close_share, n) for n in HOSTILE_NAMES),
    ]
    for attempt in attempts:
        with pytest.raises(Invalid):
            attempt()
    assert _written(samba) == before

    users_before = samba.server._passdb_users()
    passwd = (samba.server.workdir / "nss" / "passwd").read_text()
    for user in HOSTILE_USERS:
        with pytest.raises(Invalid):
            samba.server.ensure_user(user, "pw")
    for password in ["", "a\nb", "a\rb", "a\0b", "x" * 129]:
        with pytest.raises(Invalid):
            samba.server.ensure_user("alice", password)
    assert samba.server._passdb_users() == users_before
    assert (samba.server.workdir / "nss" / "passwd").read_text() == passwd


def test_users_can_be_removed_and_passwords_changed(samba: Samba) -> None:
    data = samba.share_dir("pw")
    samba.server.share("pw", str(data), RW, [])
    samba.server.ensure_user("alice", "first")
    out = samba.client.run("pw", "alice", "ls")  # the helper logs in with "alice-pw"
    assert "NT_STATUS_LOGON_FAILURE" in out
    samba.user("alice")  # same user, new password: an update, not an error
    samba.client.assert_writes("pw", "alice", "a.txt", "a\n")
    assert "alice" in samba.server._passdb_users()

    samba.server.remove_user("alice")
    samba.server.remove_user("alice")  # a missing user is fine
    assert "alice" not in samba.server._passdb_users()
    assert "alice" not in (samba.server.workdir / "nss" / "passwd").read_text()
    samba.client.assert_refused("pw", "alice")


def test_share_timing(samba: Samba, capsys: pytest.CaptureFixture[str]) -> None:
    alice = samba.user("alice")
    data = str(samba.share_dir("t"))
    users = [UserRule("alice", "rw")]

    def timed(name: str, rules: list[IpRule]) -> float:
        started = time.perf_counter()
        samba.server.share(name, data, rules, users)
        return time.perf_counter() - started

    def wider(name: str, i: int) -> list[IpRule]:
        return [*RW, *(IpRule(f"10.0.{j}.0/24", "ro") for j in range(i))]

    def narrower(i: int) -> list[IpRule]:
        return [*RW, IpRule(f"10.1.{i}.0/24", "ro")]

    series: dict[str, list[float]] = {}
    # No client connected: one net conf import, whatever the change.
    series["new share"] = [timed(f"new{i}", RW) for i in range(15)]
    series["wider, no client"] = [timed("w", wider("w", i)) for i in range(15)]
    series["narrower, no client"] = [timed("n", narrower(i)) for i in range(15)]
    # One client connected: + reload-config (wider), + close-share and pings (narrower).
    session = samba.client.session("new0", alice)
    try:
        session.send("ls")
        session.wait_for("blocks available")
        series["wider, a client"] = [timed("w2", wider("w2", i)) for i in range(15)]
        series["narrower, a client"] = [timed("n", narrower(i + 20)) for i in range(15)]
    finally:
        session.close()
    # The bound: the same net conf import, run directly.
    section = str(samba.server.workdir / "shares" / "n.conf")
    series["bare net conf import"] = []
    for _ in range(15):
        started = time.perf_counter()
        samba.server._samba(["net", "conf", "import", section, "n"])
        series["bare net conf import"].append(time.perf_counter() - started)
    with capsys.disabled():
        for what, samples in series.items():
            print(f"\nSambaServer.share(), {what}: median "
                  f"{statistics.median(samples) * 1000:.1f} ms, "
                  f"max {max(samples) * 1000:.1f} ms over {len(samples)} calls", end="")
        print()
    assert all(statistics.median(samples) < 1.0 for samples in series.values())
