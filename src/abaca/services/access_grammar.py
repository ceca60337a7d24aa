"""The strict grammar of access rules: what may reach a config file or a command line.

Anything outside it is a 400 before a row is written; what passes is returned in a
canonical form.
"""

from __future__ import annotations

import ipaddress
import re

from abaca.common.errors import Invalid

ACCESS_LEVELS = ("rw", "ro")
# Plain account names: letters, digits, dot, underscore, hyphen; no leading punctuation.
_USER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._-]{0,31}$")


def check_ip(value: object, *, allow_ipv6: bool) -> str:
    """An IPv4 (or, from 2.38, IPv6) address or CIDR, in canonical form."""
    if not isinstance(value, str) or not 0 < len(value) <= 64 or value != value.strip():
        raise Invalid("access_to must be an IP address or CIDR such as 198.18.0.5 or "
                      "198.18.0.0/24.")
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise Invalid(f"Invalid IP access rule {value!r}: {exc}.") from exc
    if net.version == 6 and not allow_ipv6:
        raise Invalid("IPv6 access rules need API microversion 2.38 or later.")
    if net.version == 6 and 100 <= net.prefixlen < 128:
        # NFS-Ganesha cannot express these prefixes; refuse them here, not at the backend.
        raise Invalid("IPv6 networks with a prefix length from /100 to /127 are not "
                      "supported; use /99 or shorter, or single addresses.")
    if net.num_addresses == 1 and net.network_address.is_unspecified:
        raise Invalid(f"{value} is not a client address; use 0.0.0.0/0 for everyone.")
    if net.num_addresses == 1 and "/" not in value:
        return str(net.network_address)
    return str(net)


def check_user(value: object) -> str:
    if not isinstance(value, str) or not _USER.fullmatch(value) or ".." in value:
        raise Invalid("access_to must be a user name of 1 to 32 letters, digits, '.', '_' "
                      "or '-' that does not start with '.' or '-'.")
    return value


def check_level(value: object) -> str:
    if value not in ACCESS_LEVELS:
        raise Invalid(f"access_level must be one of {', '.join(ACCESS_LEVELS)}.")
    return str(value)


def check_rule(access_type: object, access_to: object, *, allow_ipv6: bool) -> tuple[str, str]:
    if access_type == "ip":
        return "ip", check_ip(access_to, allow_ipv6=allow_ipv6)
    if access_type == "user":
        return "user", check_user(access_to)
    if access_type in ("cert", "cephx"):
        raise Invalid(f"Access type {access_type} is not supported by this service; use "
                      "ip or user.")
    raise Invalid(f"Invalid access type {access_type!r}: expected ip or user.")
