"""NFS-Ganesha configuration text, built only from values that passed a strict grammar.

Nothing here touches the disk or a process, so it is tested without root.

Ganesha 4.3's config lexer has quirks that decide how an address is written:

- a client entry must not be quoted (``"10.0.0.1"`` is "a double quoted string", an error);
- ``0.0.0.0/0`` is "a file path" and ``::/0`` a syntax error, so "everyone" is written as
  the two halves of the address space; a bare ``0.0.0.0`` means ``*`` (every host, IPv6
  too), so an unspecified address is refused;
- an IPv6 prefix length of three digits (``/100`` to ``/128``) is a syntax error: ``/128``
  is written as the bare address, ``/100`` to ``/127`` cannot be written at all.

A syntax error in a CLIENT block does not fail AddExport: the export is added without that
block ("1 exports added. Errors found"), which is why every value is checked here first.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from abaca.common.errors import Invalid
from abaca.share.protocols.paths import validate_path
from abaca.share.protocols.rules import IpRule

MIN_EXPORT_ID = 1  # 0 is Ganesha's own pseudo-filesystem root; 1..65535 are free.
MAX_EXPORT_ID = 65535

_ADDRESS = re.compile(r"[0-9A-Fa-f.:/]{1,64}")

_ACCESS_TYPE = {"rw": "RW", "ro": "RO"}
_EVERYONE = {4: ("0.0.0.0/1", "128.0.0.0/1"), 6: ("::/1", "8000::/1")}

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def validate_export_id(export_id: int) -> int:
    if (isinstance(export_id, bool) or not isinstance(export_id, int)
            or not MIN_EXPORT_ID <= export_id <= MAX_EXPORT_ID):
        raise Invalid(f"Export id must be an integer from {MIN_EXPORT_ID} to "
                      f"{MAX_EXPORT_ID}.")
    return export_id


def validate_pseudo(value: str) -> str:
    return validate_path(value, "pseudo path")


def validate_bind_address(value: str) -> str:
    if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
        raise Invalid("The bind address must be an IP address.")
    try:
        address = ipaddress.ip_address(value)
    except ValueError as exc:
        raise Invalid("The bind address must be an IP address.") from exc
    return str(address)


def validate_port(port: int) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise Invalid("The port must be an integer from 1 to 65535.")
    return port


def parse_network(address: str) -> IpNetwork:
    """The rule's address as a network; host bits of a CIDR are cleared, as Ganesha does."""
    if not isinstance(address, str) or not _ADDRESS.fullmatch(address):
        raise Invalid("An access rule must be an IPv4 or IPv6 address or CIDR.")
    try:
        return ipaddress.ip_network(address, strict=False)
    except ValueError as exc:
        raise Invalid("An access rule must be an IPv4 or IPv6 address or CIDR.") from exc


def client_entries(address: str) -> tuple[str, ...]:
    """The canonical entries Ganesha's ``Clients`` list needs to match ``address`` exactly."""
    network = parse_network(address)
    if network.prefixlen == 0:
        return _EVERYONE[network.version]
    if network.prefixlen == network.max_prefixlen:
        if network.network_address.is_unspecified:
            raise Invalid("The unspecified address (0.0.0.0 or ::) is not a client.")
        return (str(network.network_address),)
    if network.prefixlen >= 100:
        raise Invalid("NFS-Ganesha cannot express IPv6 prefix lengths /100 to /127.")
    return (str(network),)


def _ordered(rules: Iterable[IpRule]) -> list[tuple[IpNetwork, IpRule]]:
    """IPv4 then IPv6, most specific network first: Ganesha applies the first CLIENT
    block that matches.

    A host rule therefore overrides the rule of a network it is in; two rules for the
    same network put ``ro`` first, so the narrower grant wins.
    """
    parsed = [(parse_network(rule.address), rule) for rule in rules]
    return sorted(parsed, key=lambda item: (item[0].version, -item[0].prefixlen,
                                            int(item[0].network_address),
                                            item[1].level != "ro"))


def render_export(export_id: int, path: str, pseudo: str, rules: Sequence[IpRule]) -> str:
    """One EXPORT block; with no rule it refuses every client (``Access_Type = None``)."""
    validate_export_id(export_id)
    validate_path(path)
    validate_pseudo(pseudo)
    lines = [
        "# Written by Abaca; replaced whole on every change.",
        "EXPORT {",
        f"    Export_Id = {export_id};",
        f'    Path = "{path}";',
        f'    Pseudo = "{pseudo}";',
        "    Protocols = 4;",
        "    Transports = TCP;",
        "    Access_Type = None;",
        "    Squash = No_Root_Squash;",
        "    SecType = sys;",
        "    FSAL {",
        "        Name = VFS;",
        "    }",
    ]
    for network, rule in _ordered(rules):
        if rule.level not in _ACCESS_TYPE:
            raise Invalid("An access level must be 'rw' or 'ro'.")
        lines += [
            "    CLIENT {",
            f"        Clients = {', '.join(client_entries(str(network)))};",
            f"        Access_Type = {_ACCESS_TYPE[rule.level]};",
            "        Protocols = 4;",  # else Ganesha warns that it drops NFSv3 for it
            "    }",
        ]
    lines.append("}")
    return "\n".join(lines) + "\n"


_EXPORT_HEADER = re.compile(
    r'^    Path = "(?P<path>[^"\n]*)";\n    Pseudo = "(?P<pseudo>[^"\n]*)";$', re.MULTILINE)


def parse_export_location(text: str) -> tuple[str, str] | None:
    """(Path, Pseudo) of an export file written by :func:`render_export`, else None."""
    match = _EXPORT_HEADER.search(text)
    return (match["path"], match["pseudo"]) if match else None


def render_main_config(workdir: Path, bind_address: str, port: int,
                       export_files: Sequence[Path]) -> str:
    """ganesha.conf: NFSv4 only on one address, all state under ``workdir``.

    ``Graceless``: after a restart NFSv4 clients cannot reclaim locks, but new opens are
    served at once instead of failing with NFS4ERR_GRACE for the 90 s grace period.
    Numeric owners keep ownership independent of the host's idmapd configuration.
    """
    workdir_text = validate_path(str(workdir), "work directory")
    includes = [validate_path(str(path), "export file") for path in export_files]
    lines = [
        "# Written by Abaca at every start; exports live in the included files.",
        "NFS_CORE_PARAM {",
        "    Protocols = 4;",
        f"    NFS_Port = {validate_port(port)};",
        f"    Bind_Addr = {validate_bind_address(bind_address)};",
        "    Enable_NLM = false;",
        "    Enable_RQUOTA = false;",
        "    Enable_UDP = false;",
        "}",
        "NFSv4 {",
        "    RecoveryBackend = fs;",
        f'    RecoveryRoot = "{workdir_text}/recovery";',
        "    Graceless = true;",
        "    Allow_Numeric_Owners = true;",
        "    Only_Numeric_Owners = true;",
        "}",
        "NFS_KRB5 {",
        "    Active_krb5 = false;",
        f'    CCacheDir = "{workdir_text}/krb5";',
        "}",
        *(f'%include "{path}"' for path in includes),
    ]
    return "\n".join(lines) + "\n"
