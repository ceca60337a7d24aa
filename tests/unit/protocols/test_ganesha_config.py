"""The Ganesha config text Abaca writes, and the grammar every value passes first."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from abaca.common.errors import Invalid
from abaca.share.protocols import ganesha_config as config
from abaca.share.protocols.rules import IpRule

EXPECTED_EXPORT = """\
# Written by Abaca; replaced whole on every change.
EXPORT {
    Export_Id = 42;
    Path = "/srv/abaca/share-1";
    Pseudo = "/share-1";
    Protocols = 4;
    Transports = TCP;
    Access_Type = None;
    Squash = No_Root_Squash;
    SecType = sys;
    FSAL {
        Name = VFS;
    }
    CLIENT {
        Clients = 10.0.0.7;
        Access_Type = RO;
        Protocols = 4;
    }
    CLIENT {
        Clients = 10.0.0.0/24;
        Access_Type = RW;
        Protocols = 4;
    }
    CLIENT {
        Clients = 2001:db8::/64;
        Access_Type = RW;
        Protocols = 4;
    }
}
"""


def test_export_text() -> None:
    rules = [IpRule("10.0.0.5/24", "rw"), IpRule("10.0.0.7", "ro"),
             IpRule("2001:DB8:0:0::/64", "rw")]
    text = config.render_export(42, "/srv/abaca/share-1", "/share-1", rules)
    assert text == EXPECTED_EXPORT


def test_an_export_without_rules_has_no_client_and_no_access() -> None:
    text = config.render_export(1, "/srv/a", "/a", [])
    assert "CLIENT" not in text
    assert "    Access_Type = None;\n" in text


def test_the_most_specific_rule_comes_first_and_ro_wins_a_tie() -> None:
    rules = [IpRule("0.0.0.0/0", "rw"), IpRule("10.0.0.0/8", "rw"),
             IpRule("10.0.0.1/32", "rw"), IpRule("10.0.0.1", "ro")]
    text = config.render_export(1, "/srv/a", "/a", rules)
    clients = [line.strip() for line in text.splitlines() if "Clients" in line or
               "Access_Type = R" in line]
    assert clients == [
        "Clients = 10.0.0.1;", "Access_Type = RO;",
        "Clients = 10.0.0.1;", "Access_Type = RW;",
        "Clients = 10.0.0.0/8;", "Access_Type = RW;",
        "Clients = 0.0.0.0/1, 128.0.0.0/1;", "Access_Type = RW;",
    ]


@pytest.mark.parametrize(("address", "entries"), [
    ("127.0.0.1", ("127.0.0.1",)),
    ("127.0.0.1/32", ("127.0.0.1",)),
    ("10.0.0.5/24", ("10.0.0.0/24",)),
    ("0.0.0.0/0", ("0.0.0.0/1", "128.0.0.0/1")),
    ("::/0", ("::/1", "8000::/1")),
    ("2001:DB8::1", ("2001:db8::1",)),
    ("2001:db8::1/128", ("2001:db8::1",)),
    ("2001:db8::/99", ("2001:db8::/99",)),
    ("::ffff:127.0.0.1", ("::ffff:7f00:1",)),
])
def test_client_entries_are_canonical_and_lexable(address: str,
                                                  entries: tuple[str, ...]) -> None:
    assert config.client_entries(address) == entries


@pytest.mark.parametrize("address", [
    "1.2.3.4; Access_Type=RW", "1.2.3.4\n", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4}", "*",
    "@netgroup", "host.example", "0.0.0.0", "::", "1.2.3.4/33", "1.2.3.4/-1",
    "fe80::1%eth0", "2001:db8::/100", "2001:db8::/127", '"1.2.3.4"', "", "1.2.3", "1" * 65,
])
def test_client_entries_refuse(address: str) -> None:
    with pytest.raises(Invalid):
        config.client_entries(address)


def test_a_bad_level_is_refused() -> None:
    rule: Any = IpRule("10.0.0.1", "admin")  # type: ignore[arg-type]
    with pytest.raises(Invalid):
        config.render_export(1, "/srv/a", "/a", [rule])


@pytest.mark.parametrize("path", ["/srv/a", "/srv/abaca/share-0f8e_1.2@x+y", "/a"])
def test_valid_paths(path: str) -> None:
    assert config.validate_path(path) == path
    assert config.validate_pseudo(path) == path


@pytest.mark.parametrize("path", [
    "/srv/a\nb", '/srv/a"b', "/srv/a}b", "/srv/a{b", "/srv/a;b", "/srv/../etc", "/srv/a/..",
    "/srv/./a", "/srv/a\0b", "srv/a", "/", "", "//srv", "/srv//a", "/srv/a/", "/srv/a b",
    "/srv/a\tb", "/srv/a#b", "/srv/a\\b", "/srv/%include", "/srv/a'b", "/srv/a$b",
    "/srv/é", "/" + "a" * 256, "/a" * 2048,
])
def test_invalid_paths(path: str) -> None:
    with pytest.raises(Invalid):
        config.validate_path(path)
    with pytest.raises(Invalid):
        config.render_export(1, path, "/a", [])
    with pytest.raises(Invalid):
        config.render_export(1, "/srv/a", path, [])


@pytest.mark.parametrize("export_id", [0, -1, 65536, True, "5", 1.0, None])
def test_invalid_export_ids(export_id: Any) -> None:
    with pytest.raises(Invalid):
        config.validate_export_id(export_id)


@pytest.mark.parametrize("export_id", [1, 65535])
def test_valid_export_ids(export_id: int) -> None:
    assert config.validate_export_id(export_id) == export_id


def test_export_location_round_trip() -> None:
    text = config.render_export(3, "/srv/x", "/y", [IpRule("10.0.0.1", "rw")])
    assert config.parse_export_location(text) == ("/srv/x", "/y")
    assert config.parse_export_location("garbage") is None


def test_main_config_keeps_everything_under_the_workdir() -> None:
    workdir = Path("/var/lib/abaca/ganesha")
    text = config.render_main_config(workdir, "198.18.0.1", 2050,
                                     [workdir / "exports" / "1.conf",
                                      workdir / "exports" / "2.conf"])
    assert "    Protocols = 4;\n" in text
    assert "    NFS_Port = 2050;\n" in text
    assert "    Bind_Addr = 198.18.0.1;\n" in text
    assert 'RecoveryRoot = "/var/lib/abaca/ganesha/recovery";' in text
    assert 'CCacheDir = "/var/lib/abaca/ganesha/krb5";' in text
    assert text.endswith('%include "/var/lib/abaca/ganesha/exports/1.conf"\n'
                         '%include "/var/lib/abaca/ganesha/exports/2.conf"\n')
    assert "/var/lib/nfs" not in text
    assert "/etc" not in text


@pytest.mark.parametrize(("address", "expected"), [("::1", "::1"), ("2001:DB8::1", "2001:db8::1")])
def test_bind_address_is_canonical(address: str, expected: str) -> None:
    assert f"Bind_Addr = {expected};" in config.render_main_config(
        Path("/w"), address, 2049, [])


@pytest.mark.parametrize(("address", "port"), [
    ("127.0.0.1; x", 2049), ("10.0.0.0/8", 2049), ("localhost", 2049), ("127.0.0.1", 0),
    ("127.0.0.1", 65536),
])
def test_bad_bind_address_or_port(address: str, port: int) -> None:
    with pytest.raises(Invalid):
        config.render_main_config(Path("/w"), address, port, [])


def test_a_hostile_workdir_is_refused() -> None:
    with pytest.raises(Invalid):
        config.render_main_config(Path('/w"; }'), "127.0.0.1", 2049, [])
