"""Security-service fields: what may be stored (and later reach a share server's
configuration) and what is refused with a 400."""

from __future__ import annotations

from typing import Any

import pytest

from abaca.common.errors import Invalid
from abaca.services.security_services import check_field, check_type


@pytest.mark.parametrize(("field", "value"), [
    ("dns_ip", "198.18.0.53"),
    ("dns_ip", "198.18.0.53, 2001:db8::53"),
    ("server", "dc1.example.com"),
    ("server", "198.18.0.10,dc2.example.com"),
    ("domain", "corp.example.com"),
    ("user", "EXAMPLE\\admin"),
    ("user", "svc$@EXAMPLE.COM"),
    ("user", "nfs/server.example.com@EXAMPLE.COM"),
    ("user", "cn=admin,dc=example,dc=com"),
    ("ou", "OU=File Shares,DC=example,DC=com"),
    ("password", "with spaces & symbols ;'\""),
    ("name", ""),
    ("description", "any printable text"),
])
def test_accepted(field: str, value: str) -> None:
    assert check_field(field, value) == value


@pytest.mark.parametrize(("field", "value"), [
    ("dns_ip", "198.18.0.300"),
    ("dns_ip", "dns.example.com"),
    ("dns_ip", "198.18.0.1 && reboot"),
    ("server", "-leading.example.com"),
    ("server", "a b"),
    ("server", "x" * 64 + ".example.com"),
    ("domain", "example.com/evil"),
    ("domain", ""),
    ("user", "a b"),
    ("user", "x'y"),
    ("user", "x;y"),
    ("ou", "OU=a\nDC=b"),
    ("ou", "OU=a;DC=b"),
    ("password", "line\nbreak"),
    ("password", "p" * 256),
    ("server", 42),
    ("user", ["admin"]),
])
def test_refused(field: str, value: Any) -> None:
    with pytest.raises(Invalid):
        check_field(field, value)


def test_none_stays_unset() -> None:
    assert check_field("dns_ip", None) is None


@pytest.mark.parametrize("kind", ["nis", "", None, "LDAP", 1])
def test_types(kind: Any) -> None:
    with pytest.raises(Invalid):
        check_type(kind)
    assert [check_type(t) for t in ("ldap", "kerberos", "active_directory")] == [
        "ldap", "kerberos", "active_directory"]
