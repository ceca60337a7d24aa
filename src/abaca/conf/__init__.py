"""Configuration: one module per group, loaded and checked in one place.

``load`` registers every group, parses the command line and the config files and
refuses to start on an unknown group or key, or on contradictory values, with a
message that names the file, the group and the key.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import oslo_messaging
from oslo_config import cfg

from abaca import __version__
from abaca.common.errors import ConfigError
from abaca.conf import (
    api,
    auth,
    backend,
    database,
    default,
    logging,
    quota,
    reconciler,
    scheduler,
)

_GROUP_MODULES = (default, logging, api, database, scheduler, quota, auth, reconciler)
RESERVED_GROUPS = {"DEFAULT", "api", "database", "scheduler", "quota", "reconciler",
                   auth.AUTHTOKEN_GROUP, auth.POLICY_GROUP}


def _messaging_keys() -> dict[str, set[str]]:
    """Keys oslo.messaging registers itself (when a transport loads its driver)."""
    from oslo_messaging import opts as om_opts

    keys: dict[str, set[str]] = {}
    for group, opts in om_opts.list_opts():
        names = keys.setdefault(group or "DEFAULT", set())
        for opt in opts:
            names.add(opt.dest)
            names.update(d.name for d in opt.deprecated_opts if d.name)
    return keys


def new_conf() -> cfg.ConfigOpts:
    """A ConfigOpts with every static group registered and nothing parsed."""
    conf = cfg.ConfigOpts()
    for module in _GROUP_MODULES:
        module.register(conf)
    # The very option objects oslo.messaging registers, so that both can register them.
    from oslo_messaging import transport as om_transport

    # oslo.messaging defaults to rabbit://; Abaca's default is "no bus configured", which
    # all-in-one takes as the in-process bus and the separate services refuse.
    cfg.set_defaults(om_transport._transport_opts, transport_url=None)
    conf.register_opts(om_transport._transport_opts)
    # oslo.messaging reads these groups from any conf but registers them on cfg.CONF only.
    for group in ("oslo_messaging_tracing", "oslo_messaging_metrics"):
        if group in cfg.CONF:
            conf.register_opts([cfg.CONF[group]._group._opts[n]["opt"]
                                for n in cfg.CONF[group]._group._opts], group=group)
    oslo_messaging.set_transport_defaults("abaca")
    return conf


def load(argv: Sequence[str], *, prog: str = "abaca",
         default_config_files: Sequence[str] | None = None,
         with_backends: bool = True) -> cfg.ConfigOpts:
    """Parse ``argv`` (without the program name) and the config files, then check them.

    ``with_backends`` registers and checks the groups named in enabled_share_backends;
    processes that run no backend (api, scheduler) leave backend groups unchecked.
    """
    conf = new_conf()
    try:
        conf(list(argv), project="abaca", prog=prog, version=__version__,
             default_config_files=list(default_config_files or []))
    except cfg.Error as exc:
        raise ConfigError(str(exc)) from exc
    if with_backends:
        register_backends(conf)
    check(conf, with_backends=with_backends)
    return conf


def register_backends(conf: cfg.ConfigOpts) -> None:
    names = list(conf.enabled_share_backends)
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ConfigError(f"[DEFAULT] enabled_share_backends names {sorted(dupes)} twice")
    for name in names:
        if name in RESERVED_GROUPS or name.startswith("oslo_"):
            raise ConfigError(f"[DEFAULT] enabled_share_backends: '{name}' is the name of a "
                              "built-in group; choose another group name for the backend")
        conf.register_opts(backend.OPTS, group=name)
        group = conf[name]
        # oslo.config enforces required=True only while parsing, which happened before
        # these options existed: check them here.
        for key in ("share_driver", "driver_handles_share_servers"):
            try:
                missing = getattr(group, key) is None
            except cfg.Error as exc:
                raise ConfigError(f"backend [{name}]: invalid {key}: {exc}") from exc
            if missing:
                raise ConfigError(f"backend [{name}] is enabled but {key} is not set in "
                                  f"group [{name}]")
        driver_name = group.share_driver
        from abaca.share.backend import storage_driver_class

        driver_cls = storage_driver_class(driver_name, group=name)
        conf.register_opts(driver_cls.options(), group=name)
        # The helpers' own options (standalone_*, netns_*), in the same group.
        from abaca.share.backend import compute_helper_class, network_helper_class

        conf.register_opts(compute_helper_class(group.compute_helper, group=name).options(),
                           group=name)
        conf.register_opts(network_helper_class(group.network_helper, group=name).options(),
                           group=name)


def _config_sections(conf: cfg.ConfigOpts) -> dict[str, dict[str, str]]:
    """Every (section -> key -> file) that the parsed config files set."""
    found: dict[str, dict[str, str]] = {}
    for path in conf.config_file or []:
        sections: dict[str, dict[str, list[str]]] = {}
        cfg.ConfigParser(path, sections).parse()
        for section, keys in sections.items():
            for key in keys:
                found.setdefault(section, {})[key] = path
    return found


def _is_option(group: object, key: str) -> bool:
    """Whether ``key`` is an option of ``group`` (in [DEFAULT], group names are not)."""
    if key not in group:  # type: ignore[operator]
        return False
    try:
        return not isinstance(getattr(group, key, None), cfg.ConfigOpts.GroupAttr)
    except cfg.Error:
        return True  # an option with a bad value: _check_values names it


def _check_values(conf: cfg.ConfigOpts) -> None:
    """Read every registered option once, so a bad value fails now, naming its key."""
    for name in list(conf):
        try:
            value = conf[name]
        except cfg.Error as exc:
            raise ConfigError(f"invalid value for [DEFAULT] {name}: {exc}") from exc
        if isinstance(value, cfg.ConfigOpts.GroupAttr):
            for key in list(value):
                try:
                    value[key]
                except cfg.Error as exc:
                    raise ConfigError(f"invalid value for [{name}] {key}: {exc}") from exc


def check(conf: cfg.ConfigOpts, *, with_backends: bool) -> None:
    """Refuse unknown groups and keys: a typo must not become a silent default."""
    backends = set(conf.enabled_share_backends)
    sections = _config_sections(conf)
    auth.register_auth_plugin(conf, sections)
    messaging = _messaging_keys()
    for section, keys in sections.items():
        if section in messaging and section != "DEFAULT":
            unknown = [k for k in keys if k.replace("-", "_") not in messaging[section]]
            if unknown:
                raise ConfigError(f"{keys[unknown[0]]}: unknown option '{unknown[0]}' in "
                                  f"group [{section}]")
            continue
        if section != "DEFAULT" and section not in conf:
            if section in backends:
                continue
            raise ConfigError(f"{next(iter(keys.values()))}: unknown group [{section}] "
                              "(not a built-in group nor an enabled backend)")
        if section in backends and not with_backends:
            continue
        group = conf if section == "DEFAULT" else conf[section]
        for key, path in keys.items():
            if section == "DEFAULT" and key in messaging["DEFAULT"]:
                continue
            if not _is_option(group, key) and not _is_option(group, key.replace("-", "_")):
                raise ConfigError(f"{path}: unknown option '{key}' in group [{section}]")
    _check_values(conf)
    auth.check_keystone(conf)
    auth.check_policy(conf)
    if conf.database.connection is None:
        os.makedirs(conf.state_path, exist_ok=True)
    if not conf.enabled_share_protocols:
        raise ConfigError("[DEFAULT] enabled_share_protocols must name at least one protocol")
    protocols = {p.upper() for p in conf.enabled_share_protocols} - {"NFS", "CIFS"}
    if protocols:
        raise ConfigError(f"[DEFAULT] enabled_share_protocols: unsupported {sorted(protocols)}; "
                          "Abaca serves NFS and CIFS")
