"""The Samba config text and the rule arithmetic behind it, without smbd."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pytest

from abaca.common.errors import Invalid
from abaca.share.protocols import samba_config as config
from abaca.share.protocols.rules import IpRule, UserRule


def _share(ip_rules: list[IpRule], user_rules: list[UserRule] | None = None) -> str:
    access = config.plan_access(ip_rules, user_rules or [])
    include = "/w/access/s/X/%I.conf" if access.host_overrides else None
    return config.render_share("s", "/srv/shares/s", access, include)


def test_no_rule_shuts_everyone_out_localhost_too() -> None:
    assert _share([]) == (
        "[s]\n"
        "path = /srv/shares/s\n"
        "read only = yes\n"
        "guest ok = no\n"
        "browseable = yes\n"
        "hosts deny = ALL\n")


def test_rw_addresses_and_networks() -> None:
    text = _share([IpRule("10.0.0.0/24", "rw"), IpRule("192.0.2.7", "rw"),
                   IpRule("2001:db8::/64", "rw"), IpRule("2001:DB8:0:0::1", "rw")])
    assert text == (
        "[s]\n"
        "path = /srv/shares/s\n"
        "read only = no\n"
        "guest ok = no\n"
        "browseable = yes\n"
        "hosts allow = 10.0.0.0/24 192.0.2.7 2001:db8::/64 2001:db8::1\n"
        "hosts deny = ALL\n")


def test_ro_only() -> None:
    text = _share([IpRule("10.0.0.0/24", "ro"), IpRule("10.0.1.5", "ro")])
    assert "read only = yes\n" in text
    assert "hosts allow = 10.0.0.0/24 10.0.1.5\n" in text
    assert "include" not in text


def test_an_rw_address_in_an_ro_network_gets_a_file() -> None:
    access = config.plan_access([IpRule("10.0.0.0/24", "ro"), IpRule("10.0.0.5", "rw")], [])
    assert access.read_only
    assert access.host_overrides == (("10.0.0.5", False),)
    text = config.render_share("s", "/srv/s", access, "/w/access/s/X/%I.conf")
    assert text.endswith("hosts allow = 10.0.0.0/24 10.0.0.5\nhosts deny = ALL\n"
                         "include = /w/access/s/X/%I.conf\n")
    assert config.render_override(False) == "read only = no\n"
    assert config.render_override(True) == "read only = yes\n"


def test_an_ro_address_in_an_rw_network_overrides_it() -> None:
    access = config.plan_access([IpRule("10.0.0.0/16", "rw"), IpRule("10.0.3.4", "ro")], [])
    assert not access.read_only
    assert access.host_overrides == (("10.0.3.4", True),)


def test_single_addresses_only_take_the_majority_as_default() -> None:
    access = config.plan_access([IpRule("10.0.0.1", "rw"), IpRule("10.0.0.2", "rw"),
                                 IpRule("10.0.0.3", "ro")], [])
    assert not access.read_only
    assert access.host_overrides == (("10.0.0.3", True),)
    tie = config.plan_access([IpRule("10.0.0.1", "rw"), IpRule("10.0.0.2", "ro")], [])
    assert tie.read_only and tie.host_overrides == (("10.0.0.1", False),)


def test_ro_wins_for_the_same_address_or_user() -> None:
    access = config.plan_access(
        [IpRule("10.0.0.1", "rw"), IpRule("10.0.0.1", "ro"), IpRule("10.0.0.0/8", "rw")],
        [UserRule("alice", "rw"), UserRule("ALICE", "ro")])
    assert access.host_overrides == (("10.0.0.1", True),)
    assert access.valid_users == ("alice",)
    assert access.read_list == ("alice",)


def test_rw_and_ro_networks_cannot_be_mixed() -> None:
    for rules in ([IpRule("10.0.0.0/24", "rw"), IpRule("10.0.1.0/24", "ro")],
                  [IpRule("10.0.0.0/16", "rw"), IpRule("10.0.1.0/24", "ro")],
                  [IpRule("0.0.0.0/0", "ro"), IpRule("10.0.0.0/31", "rw")]):
        with pytest.raises(Invalid, match="networks"):
            config.plan_access(rules, [])


def test_the_override_directory_follows_the_overrides() -> None:
    one = config.plan_access([IpRule("10.0.0.0/24", "ro"), IpRule("10.0.0.5", "rw")], [])
    same = config.plan_access([IpRule("10.0.0.5", "rw"), IpRule("10.0.0.0/24", "ro")], [])
    other = config.plan_access([IpRule("10.0.0.0/24", "ro"), IpRule("10.0.0.6", "rw")], [])
    assert one.overrides_id == same.overrides_id != other.overrides_id
    assert len(one.overrides_id) == 16 and one.overrides_id.isalnum()


def test_user_rules_alone() -> None:
    text = _share([], [UserRule("bob", "ro"), UserRule("Alice", "rw"), UserRule("c.d_e-f", "ro")])
    assert text == (
        "[s]\n"
        "path = /srv/shares/s\n"
        "read only = no\n"
        "guest ok = no\n"
        "browseable = yes\n"
        "valid users = alice bob c.d_e-f\n"
        "read list = bob c.d_e-f\n")


def test_users_and_addresses_together_never_use_write_list() -> None:
    text = _share([IpRule("10.0.0.1", "ro")], [UserRule("alice", "rw")])
    assert "read only = yes\n" in text
    assert "valid users = alice\n" in text
    assert "write list" not in text and "read list" not in text


@pytest.mark.parametrize("name", ["", "a b", "a\nb", "x" * 81, "global", "Global", "HOMES",
                                  "printers", "a;b", "a]b", "[a", "a$", "a/b", "a%Sb", "a.b",
                                  "é", "-s", "-sfoo", "--configfile=x", "-"])
def test_bad_share_names(name: str) -> None:
    with pytest.raises(Invalid):
        config.validate_share_name(name)


def test_good_share_names() -> None:
    for name in ("a", "share-1_X", "x" * 80):
        assert config.validate_share_name(name) == name


@pytest.mark.parametrize("path", ["", "relative", "/", "/a/../b", "/a/./b", "/..", "/a//b",
                                  "/a/", "/a\nb", "/a\rb", "/a;b", '/a"b', "/a'b", "/a\0b",
                                  "/a%Ub", "/a b", "/a#b", "/a\\b", "/a=b", "/" + "a" * 4096,
                                  "/a/" + "b" * 256])
def test_bad_paths(path: str) -> None:
    with pytest.raises(Invalid):
        config.validate_path(path)


@pytest.mark.parametrize("user", ["", "-a", "a b", "a\nb", "a,b", "@g", "+g", "&g", "a%U",
                                  "a" * 33, "root", "ROOT", "nobody", "a$", "a;b", "a=b", "a/b",
                                  "a\\b", "é"])
def test_bad_users(user: str) -> None:
    with pytest.raises(Invalid):
        config.validate_user(user)


def test_users_are_lower_cased() -> None:
    assert config.validate_user("Alice.B-c_1") == "alice.b-c_1"
    assert config.validate_user("a" * 32) == "a" * 32


@pytest.mark.parametrize("address", ["", "localhost", "ALL", "EXCEPT", "10.0.0.1 10.0.0.2",
                                     "10.0.0.1,10.0.0.2", "10.0.0.1\n", "10.0.0.1/33",
                                     "10.0.0.1/24", "fe80::1%eth0", "0x0a000001", "10.1",
                                     "1" * 65, "::ffff:10.0.0.1/200"])
def test_bad_addresses(address: str) -> None:
    with pytest.raises(Invalid):
        config.plan_access([IpRule(address, "rw")], [])


@pytest.mark.parametrize("level", ["RW", "r", "", "admin"])
def test_bad_levels(level: str) -> None:
    with pytest.raises(Invalid):
        config.plan_access([IpRule("10.0.0.1", level)], [])  # type: ignore[arg-type]
    with pytest.raises(Invalid):
        config.plan_access([], [UserRule("alice", level)])  # type: ignore[arg-type]


@pytest.mark.parametrize("password", ["", "a\nb", "a\rb", "a\0b", "x" * 129])
def test_bad_passwords(password: str) -> None:
    with pytest.raises(Invalid):
        config.validate_password(password)


def test_global_section() -> None:
    text = config.render_global(config.GlobalSettings("/var/lib/abaca/samba", "198.18.0.1",
                                                      4450))
    lines = text.splitlines()
    for line in ("smb ports = 4450", "interfaces = 198.18.0.1", "bind interfaces only = yes",
                 "registry shares = yes", "state directory = /var/lib/abaca/samba/state",
                 "lock directory = /var/lib/abaca/samba/lock",
                 "private dir = /var/lib/abaca/samba/private",
                 "passdb backend = tdbsam:/var/lib/abaca/samba/private/passdb.tdb",
                 "pid directory = /var/lib/abaca/samba/pid", "map to guest = never",
                 "load printers = no", "disable netbios = yes"):
        assert line in lines
    assert lines[-1] == "include = registry"  # registry globals, if any, come last
    with pytest.raises(Invalid):
        config.render_global(config.GlobalSettings("/a b", "127.0.0.1", 445))
    for address in ("0.0.0.0", "10.0.0.0/24", "::", "x"):
        with pytest.raises(Invalid):
            config.render_global(config.GlobalSettings("/w", address, 445))
    for port in (0, 65536, True):
        with pytest.raises(Invalid):
            config.render_global(config.GlobalSettings("/w", "127.0.0.1", port))


def test_passwd_maps_every_user_to_one_identity() -> None:
    assert config.render_passwd(["bob", "alice", "bob"], 0, 0).splitlines() == [
        "root:x:0:0:root:/nonexistent:/usr/sbin/nologin",
        "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin",
        "alice:x:0:0:Abaca Samba user:/nonexistent:/usr/sbin/nologin",
        "bob:x:0:0:Abaca Samba user:/nonexistent:/usr/sbin/nologin"]
    assert config.render_group(0) == "root:x:0:\nnogroup:x:65534:\n"
    assert config.render_group(1234).endswith("abaca:x:1234:\n")


Level = Literal["rw", "ro"]


def _rules(ips: Sequence[tuple[str, Level]], users: Sequence[tuple[str, Level]] = (),
           path: str = "/s") -> config.RuleSet:
    return config.RuleSet.of(path, [IpRule(a, lv) for a, lv in ips],
                             [UserRule(u, lv) for u, lv in users])


def test_what_counts_as_taking_access_away() -> None:
    base = _rules([("10.0.0.0/24", "rw"), ("10.0.1.1", "ro")], [("alice", "rw")])
    narrower = [
        _rules([("10.0.0.0/24", "rw")], [("alice", "rw")]),  # a rule went
        _rules([("10.0.0.0/24", "ro"), ("10.0.1.1", "ro")], [("alice", "rw")]),  # rw -> ro
        _rules([("10.0.0.0/24", "rw"), ("10.0.1.1", "ro"), ("10.0.0.7", "ro")],
               [("alice", "rw")]),  # a more specific ro rule
        _rules([("10.0.0.0/24", "rw"), ("10.0.1.1", "ro"), ("10.0.0.0/24", "ro")],
               [("alice", "rw")]),  # the same network, now also ro
        _rules([("10.0.0.0/24", "rw"), ("10.0.1.1", "ro")], [("alice", "ro")]),
        _rules([("10.0.0.0/24", "rw"), ("10.0.1.1", "ro")], [("alice", "rw"),
                                                              ("alice", "ro")]),
        _rules([("10.0.0.0/24", "rw"), ("10.0.1.1", "ro")], [("alice", "rw")], "/t"),
        _rules([], []),
    ]
    for new in narrower:
        assert base.narrowed_by(new), new
    wider = [
        base,
        _rules([("10.0.0.0/24", "rw"), ("10.0.1.1", "rw")], [("alice", "rw")]),  # ro -> rw
        _rules([("10.0.0.0/24", "rw"), ("10.0.1.1", "ro"), ("10.0.2.0/24", "rw")],
               [("alice", "rw"), ("bob", "ro")]),
        # a new ro network outside every rw one only lets more clients in
        _rules([("10.0.0.0/24", "rw"), ("10.0.1.1", "ro"), ("10.9.0.0/16", "ro"),
                ("2001:db8::/64", "ro")], [("alice", "rw")]),
    ]
    for new in wider:
        assert not base.narrowed_by(new), new
    # The first rule of a kind shuts out everyone it does not name.
    assert _rules([("10.0.0.1", "rw")]).narrowed_by(_rules([("10.0.0.1", "rw")],
                                                           [("alice", "rw")]))
    assert _rules([], [("alice", "rw")]).narrowed_by(_rules([("10.0.0.1", "rw")],
                                                            [("alice", "rw")]))
    # Nobody could connect before: nothing to take away.
    assert not _rules([]).narrowed_by(_rules([("10.0.0.1", "ro")]))


def test_rule_sets_round_trip_and_merge() -> None:
    one = _rules([("10.0.0.1", "rw")], [("alice", "ro")])
    two = _rules([("10.0.0.0/8", "ro")], [("Bob", "rw")])
    assert config.RuleSet.from_json(one.to_json()) == one
    both = one.union(two)
    assert both.ips == {("10.0.0.1", "rw"), ("10.0.0.0/8", "ro")}
    assert both.users == {("alice", "ro"), ("bob", "rw")}
