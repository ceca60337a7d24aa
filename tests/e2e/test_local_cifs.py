"""The local backend over CIFS, end to end: API -> btrfs + Samba -> smbclient."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e import local_backend as lb
from tests.e2e.samba.conftest import REFUSED, WRITE_REFUSED, SmbClient
from tests.fixtures import servers

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(os.geteuid() != 0, reason="needs root")]
USERS = {"alice": "Alice-pw-1", "carol": "Carol-pw-2"}  # manilaclient wants 4+ chars


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("local-cifs")
    users = tmp / "cifs-users"
    users.write_text("".join(f"{n}:{p}\n" for n, p in USERS.items()))
    smb_port = servers.free_port()
    backends = {"local": lb.local_backend(tmp, servers.free_port(), smb_port, "NFS,CIFS",
                                          local_cifs_users_file=str(users))}
    scratch = tmp / "client"
    scratch.mkdir()
    with lb.local_all_in_one(tmp, backends) as (url, _proc):
        servers.wait_for_pools(url, 1)
        yield {"mc": servers.manila(url, "2.42"), "url": url, "state": tmp / "state",
               "smb": SmbClient("127.0.0.1", smb_port, scratch)}


def _share(d: dict[str, Any]) -> tuple[Any, str]:
    mc = d["mc"]
    share = servers.wait_for_status(mc, mc.shares.create("CIFS", 1).id)
    assert share.status == "available"
    path = lb.export_path(mc, share)
    assert path.startswith("\\\\127.0.0.1\\share-")
    return share, path.rsplit("\\", 1)[-1]


def _settled(mc: Any, share: Any) -> list[Any]:
    return servers.wait_until(
        lambda: (rules := mc.shares.access_list(share)) is not None
        and all(r.state == "active" for r in rules) and (rules or [True]),
        what="rules settled")


def _allow(d: dict[str, Any], share: Any, kind: str, to: str, level: str) -> str:
    rule = d["mc"].shares.allow(share, kind, to, level)
    _settled(d["mc"], share)
    return str(rule["id"])


def _deny(d: dict[str, Any], share: Any, rule_id: str) -> None:
    d["mc"].shares.deny(share, rule_id)
    servers.wait_until(lambda: rule_id not in {r.id for r in d["mc"].shares.access_list(share)},
                       what="rule gone")


def _login(name: str) -> str:
    return f"{name}%{USERS[name]}"


def test_ip_rules_decide_who_reads_and_writes(deployment: dict[str, Any]) -> None:
    d, smb = deployment, deployment["smb"]
    share, name = _share(d)
    smb.assert_refused(name, _login("alice"))  # no rule: nobody
    rw = _allow(d, share, "ip", "127.0.0.1", "rw")
    smb.assert_writes(name, _login("alice"), "hello.txt", "hello over smb\n")
    _deny(d, share, rw)
    smb.assert_refused(name, _login("alice"))
    _allow(d, share, "ip", "127.0.0.0/8", "ro")
    smb.assert_reads_only(name, _login("alice"), "hello.txt", "hello over smb\n")
    smb.assert_refused(name, None)  # no anonymous access, whatever the address
    d["mc"].shares.delete(share)


def test_user_rules_and_an_open_session_losing_access(deployment: dict[str, Any]) -> None:
    d, smb = deployment, deployment["smb"]
    share, name = _share(d)
    alice = _allow(d, share, "user", "alice", "rw")
    _allow(d, share, "user", "carol", "ro")
    smb.assert_writes(name, _login("alice"), "notes.txt", "by alice\n")
    smb.assert_reads_only(name, _login("carol"), "notes.txt", "by alice\n")
    assert any(code in smb.run(name, "mallory%whatever", "ls") for code in REFUSED)

    session = smb.session(name, _login("alice"))
    try:
        session.send("ls")
        session.wait_for("blocks available")  # the session works before the deny
        _deny(d, share, alice)  # revoking closes the share for open sessions too
        session.send("ls", "get notes.txt from-session.txt")
        out = session.finish()
    finally:
        session.close()
    first, _, after = out.partition("blocks available")
    assert "notes.txt" in first and "NT_STATUS" not in first, out
    # smbd either refuses the session's next commands or, when it notices first, ends the
    # whole connection (smbclient then exits on its own before being told to)
    assert session.ended_early or any(
        code in after for code in ("NT_STATUS_NETWORK_NAME_DELETED", *REFUSED)), out
    assert not (smb.scratch / "from-session.txt").exists(), out
    smb.assert_refused(name, _login("alice"))
    assert smb.get(name, _login("carol"), "notes.txt") == "by alice\n"
    d["mc"].shares.delete(share)


def test_smbd_killed_is_restarted_with_its_rules(deployment: dict[str, Any]) -> None:
    d, smb = deployment, deployment["smb"]
    share, name = _share(d)
    _allow(d, share, "ip", "127.0.0.1", "ro")
    smb.put(name, _login("alice"), "x.txt", "refused\n")
    pidfiles = list(Path(d["state"]).glob("local/local/samba/**/smbd.pid"))
    assert pidfiles, "smbd pid file"
    old = int(pidfiles[0].read_text())
    os.kill(old, signal.SIGKILL)
    servers.wait_until(lambda: int(pidfiles[0].read_text() or 0) not in (0, old)
                       if pidfiles[0].exists() else False, timeout=30,
                       what="smbd restarted")
    out = servers.wait_until(lambda: (o := smb.run(name, _login("alice"), "ls"))
                             and "NT_STATUS" not in o and o, timeout=30, what="served again")
    assert "NT_STATUS" not in out
    out = smb.put(name, _login("alice"), "y.txt", "still read-only\n")
    assert any(code in out for code in WRITE_REFUSED), out
    d["mc"].shares.delete(share)


def test_both_protocols_from_one_backend(deployment: dict[str, Any]) -> None:
    mc = deployment["mc"]
    nfs = servers.wait_for_status(mc, mc.shares.create("NFS", 1).id)
    assert lb.export_path(mc, nfs).startswith("127.0.0.1:/share-")
    mc.shares.delete(nfs)
