"""Samba configuration text, built only from values that passed a strict grammar.

Nothing here touches the disk or a process, so it is tested without root.

How access rules become a share section (Samba 4.17):

- IP rules: ``hosts allow`` lists every allowed address and ``hosts deny = ALL`` refuses
  the rest. Without ``hosts deny`` Samba always lets 127.0.0.1 and ::1 in, so a share
  with no rule at all also gets ``hosts deny = ALL``.
- Samba has no per-address read-only setting. ``read only`` sets the share's default
  level, and the addresses that differ from it get a one-line file ``<address>.conf``
  (``read only = no`` or ``yes``) pulled in by ``include = <dir>/%I.conf``: smbd expands
  ``%I`` to the client's address when it loads the share at tree connect, and an include
  in a share section sets parameters of that share.
- As for NFS (ganesha_config), the most specific rule wins: a single address overrides
  the network it is in, and a network with both an ``rw`` and an ``ro`` rule is ``ro``.
  A file per address cannot describe a network, so the networks of one share must all
  have one level; single addresses may differ. ``rw`` and ``ro`` networks together are
  refused (Invalid) rather than served with more access than asked.
- User rules: ``valid users`` lists every user with a rule, ``read list`` the ``ro`` ones.
  ``write list`` is never used: it would lift the read-only level of an ``ro`` address.
  A client therefore writes only when both its address and its user may write.
- A user with both an ``rw`` and an ``ro`` rule is ``ro``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from abaca.common.errors import Invalid
from abaca.share.protocols.paths import validate_path
from abaca.share.protocols.rules import IpRule, UserRule

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

MAX_PASSWORD_LENGTH = 128
_LEVELS = ("rw", "ro")
# Samba expands %-sequences in paths and user lists, and a line break, quote, semicolon
# or hash could end a value or start a comment: none of them gets through these.
# No leading '-': a share name is a command-line argument, and Samba's tools take options
# anywhere on the line ("net conf delshare -sX" would read the config file X).
_SHARE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,79}")
_USER = re.compile(r"[A-Za-z0-9._][A-Za-z0-9._-]{0,31}")
_ADDRESS = re.compile(r"[0-9A-Fa-f.:/]{1,64}")
# [global] and the special sections Samba gives a meaning of their own.
_RESERVED_SHARES = frozenset({"global", "homes", "printers"})
# Accounts of the private passwd file that are not Samba users (see samba.py).
RESERVED_USERS = frozenset({"root", "nobody"})


def validate_share_name(name: str) -> str:
    if not isinstance(name, str) or not _SHARE_NAME.fullmatch(name):
        raise Invalid("A CIFS share name must be 1 to 80 letters, digits, '_' and '-', "
                      "not starting with '-'.")
    if name.lower() in _RESERVED_SHARES:
        raise Invalid(f"'{name}' is reserved by Samba and cannot name a share.")
    return name


def validate_user(name: str) -> str:
    """A Samba user name, lower-cased: Samba's user names ignore case."""
    if not isinstance(name, str) or not _USER.fullmatch(name):
        raise Invalid("A user name must be 1 to 32 letters, digits, '.', '_' or '-', "
                      "not starting with '-'.")
    if name.lower() in RESERVED_USERS:
        raise Invalid(f"The user name '{name}' is reserved.")
    return name.lower()


def validate_password(password: str) -> str:
    if (not isinstance(password, str) or not 1 <= len(password) <= MAX_PASSWORD_LENGTH
            or any(char in password for char in "\n\r\0")):
        raise Invalid(f"A password must be 1 to {MAX_PASSWORD_LENGTH} characters on one line.")
    return password


def validate_level(level: str) -> str:
    if level not in _LEVELS:
        raise Invalid("An access level must be 'rw' or 'ro'.")
    return level


def parse_address(value: str, what: str = "access address") -> IpNetwork:
    """An IPv4/IPv6 address or network (host bits clear); no scope, no ``%``."""
    if not isinstance(value, str) or not _ADDRESS.fullmatch(value):
        raise Invalid(f"The {what} must be an IP address or network.")
    try:
        return ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        raise Invalid(f"The {what} must be an IP address or network.") from exc


def validate_bind_address(value: str) -> str:
    network = parse_address(value, "bind address")
    if network.num_addresses != 1 or network.network_address.is_unspecified:
        raise Invalid("The bind address must be one IP address.")
    return str(network.network_address)


def validate_port(port: int) -> int:
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise Invalid("The port must be an integer from 1 to 65535.")
    return port


def format_network(network: IpNetwork) -> str:
    """How Samba's ``hosts allow`` and ``%I`` write it: a bare address for one host."""
    if network.num_addresses == 1:
        return str(network.network_address)
    return network.with_prefixlen


@dataclass(frozen=True)
class ShareAccess:
    """What the rules of one share come to, in Samba's terms."""

    hosts_allow: tuple[str, ...]
    hosts_deny_all: bool
    read_only: bool
    # (client address, read only) for the addresses whose level is not ``read_only``.
    host_overrides: tuple[tuple[str, bool], ...]
    valid_users: tuple[str, ...]
    read_list: tuple[str, ...]

    @property
    def overrides_id(self) -> str:
        """Names the set of override files: the same overrides, the same directory."""
        text = "\n".join(f"{address} {read_only}" for address, read_only in self.host_overrides)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _order(network: IpNetwork) -> tuple[int, int, int]:
    """IPv4 before IPv6 (the two do not compare), then by address and prefix."""
    return network.version, int(network.network_address), network.prefixlen


def _levels(ip_rules: Sequence[IpRule]) -> dict[IpNetwork, str]:
    """Each network's level; a network with both an ``rw`` and an ``ro`` rule is ``ro``."""
    levels: dict[IpNetwork, str] = {}
    for rule in ip_rules:
        network, level = parse_address(rule.address), validate_level(rule.level)
        levels[network] = "ro" if "ro" in (level, levels.get(network)) else "rw"
    return levels


def _default_and_overrides(levels: dict[IpNetwork, str]
                           ) -> tuple[str, tuple[tuple[str, bool], ...]]:
    """The share's level and the single addresses that differ from it.

    A single address is the most specific rule there is, so it always wins; the networks
    must agree on one level, which becomes the share's.
    """
    network_levels = {level for net, level in levels.items() if net.num_addresses > 1}
    if len(network_levels) > 1:
        raise Invalid("Samba cannot give 'rw' and 'ro' to different networks of one share: "
                      "only single addresses may differ from the networks' level.")
    if network_levels:
        default = network_levels.pop()
    else:  # only single addresses: the level most of them have needs no file
        rw = sum(level == "rw" for level in levels.values())
        default = "rw" if rw > len(levels) - rw else "ro"
    overrides = sorted((net for net, level in levels.items() if level != default), key=_order)
    return default, tuple((format_network(net), levels[net] == "ro") for net in overrides)


def plan_access(ip_rules: Sequence[IpRule], user_rules: Sequence[UserRule]) -> ShareAccess:
    """Check every rule and turn the whole list into share parameters."""
    levels = _levels(ip_rules)
    default, overrides = _default_and_overrides(levels)
    users: dict[str, str] = {}
    for rule in user_rules:
        user, level = validate_user(rule.user), validate_level(rule.level)
        users[user] = "ro" if "ro" in (level, users.get(user)) else "rw"
    return ShareAccess(
        hosts_allow=tuple(format_network(net) for net in sorted(levels, key=_order)),
        # No IP rule: only user rules limit access, unless there is no rule at all.
        hosts_deny_all=bool(levels) or not users,
        read_only=default == "ro" if levels else not users,
        host_overrides=overrides,
        valid_users=tuple(sorted(users)),
        read_list=tuple(sorted(user for user, level in users.items() if level == "ro")),
    )


Grant = tuple[str, str]  # (canonical address or user, level)


@dataclass(frozen=True)
class RuleSet:
    """A share's rules in canonical form, kept to tell whether a change takes access away
    (and open sessions must be closed)."""

    path: str
    ips: frozenset[Grant]
    users: frozenset[Grant]

    @classmethod
    def of(cls, path: str, ip_rules: Sequence[IpRule], user_rules: Sequence[UserRule]
           ) -> RuleSet:
        return cls(validate_path(path),
                   frozenset((format_network(parse_address(rule.address)),
                              validate_level(rule.level)) for rule in ip_rules),
                   frozenset((validate_user(rule.user), validate_level(rule.level))
                             for rule in user_rules))

    def to_json(self) -> str:
        return json.dumps({"path": self.path, "ips": sorted(self.ips),
                           "users": sorted(self.users)})

    @classmethod
    def from_json(cls, text: str) -> RuleSet:
        data = json.loads(text)
        return cls(str(data["path"]), frozenset((str(t), str(lv)) for t, lv in data["ips"]),
                   frozenset((str(t), str(lv)) for t, lv in data["users"]))

    def union(self, other: RuleSet) -> RuleSet:
        """Every rule of both: what may be in force while a change is being made."""
        return RuleSet(self.path, self.ips | other.ips, self.users | other.users)

    def narrowed_by(self, new: RuleSet) -> bool:
        """Whether anyone who could connect under these rules may lose access or writes.

        Errs on the safe side: closing a share only makes clients connect again.
        """
        if not self.ips and not self.users:
            return False  # nobody could connect
        return (new.path != self.path
                or _narrowed(self.ips, new.ips, most_specific_wins=True)
                or _narrowed(self.users, new.users, most_specific_wins=False))


def _narrowed(old: frozenset[Grant], new: frozenset[Grant], *,
              most_specific_wins: bool) -> bool:
    if not old:
        return bool(new)  # the first rule of a kind shuts out everyone it does not name
    upgraded = {(target, "ro") for target, level in new if level == "rw"}
    if old - new - upgraded:
        return True  # a rule went, or went from rw to ro
    added_ro = {target for target, level in new - old if level == "ro"}
    if most_specific_wins:  # a new ro rule inside an rw network overrides it there
        rw = [parse_address(target) for target, level in old if level == "rw"]
        return any(_inside(parse_address(target), rw) for target in added_ro)
    return any((target, "rw") in old for target in added_ro)


def _inside(network: IpNetwork, others: Iterable[IpNetwork]) -> bool:
    return any(network.version == other.version
               and network.subnet_of(other)  # type: ignore[arg-type]
               for other in others)


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def render_share(name: str, path: str, access: ShareAccess, include: str | None) -> str:
    """One share section for ``net conf import``; ``include`` is the ``%I`` pattern."""
    lines = [f"[{validate_share_name(name)}]",
             f"path = {validate_path(path)}",
             f"read only = {_yes_no(access.read_only)}",
             "guest ok = no",
             "browseable = yes"]
    if access.hosts_allow:
        lines.append(f"hosts allow = {' '.join(access.hosts_allow)}")
    if access.hosts_deny_all:
        lines.append("hosts deny = ALL")
    if access.valid_users:
        lines.append(f"valid users = {' '.join(access.valid_users)}")
    if access.read_list:
        lines.append(f"read list = {' '.join(access.read_list)}")
    if access.host_overrides:
        if include is None:
            raise ValueError("a share with per-address levels needs an include pattern")
        lines.append(f"include = {include}")
    return "\n".join(lines) + "\n"


def render_override(read_only: bool) -> str:
    """The content of one ``<address>.conf``: parameters of the share that includes it."""
    return f"read only = {_yes_no(read_only)}\n"


@dataclass(frozen=True)
class GlobalSettings:
    """Where the private smbd keeps everything, and where it listens."""

    workdir: str
    bind_address: str
    port: int


def render_global(settings: GlobalSettings) -> str:
    work = validate_path(settings.workdir, "Samba work directory")
    address = validate_bind_address(settings.bind_address)
    port = validate_port(settings.port)
    return f"""\
# Written by Abaca; shares live in the registry (net conf), not here.
[global]
server role = standalone server
workgroup = ABACA
netbios name = ABACA
disable netbios = yes
smb ports = {port}
interfaces = {address}
bind interfaces only = yes
security = user
passdb backend = tdbsam:{work}/private/passdb.tdb
smb passwd file = {work}/private/smbpasswd
map to guest = never
restrict anonymous = 2
private dir = {work}/private
lock directory = {work}/lock
state directory = {work}/state
cache directory = {work}/cache
pid directory = {work}/pid
ncalrpc dir = {work}/ncalrpc
binddns dir = {work}/bind-dns
usershare path = {work}/usershares
usershare max shares = 0
log file = {work}/log/smbd.log
max log size = 10000
log level = 1
load printers = no
printing = bsd
printcap name = /dev/null
disable spoolss = yes
registry shares = yes
include = registry
"""


def render_passwd(users: Iterable[str], uid: int, gid: int) -> str:
    """The private passwd file: every Samba user is the same Unix identity."""
    lines = ["root:x:0:0:root:/nonexistent:/usr/sbin/nologin",
             "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin"]
    lines += [f"{validate_user(user)}:x:{uid}:{gid}:Abaca Samba user:/nonexistent:"
              f"/usr/sbin/nologin" for user in sorted(set(users))]
    return "\n".join(lines) + "\n"


def render_group(gid: int) -> str:
    lines = ["root:x:0:", "nogroup:x:65534:"]
    if gid not in (0, 65534):
        lines.append(f"abaca:x:{gid}:")
    return "\n".join(lines) + "\n"
