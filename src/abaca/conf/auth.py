"""[keystone_authtoken] and [oslo_policy]: options that keystonemiddleware and
oslo.policy own, registered here so that the start-up check knows them.

keystonemiddleware's options are static, but the options of its auth plugin depend on
``auth_type`` (``password`` takes auth_url, username, password, ...): the plugin named
by ``auth_type`` (in [keystone_authtoken], or in the group ``auth_section`` names) has its
options registered before the check, so a misspelt key or an unknown plugin stops the
service at start instead of at the first request.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from oslo_config import cfg
from oslo_policy import opts as policy_opts

from abaca.common.errors import ConfigError

AUTHTOKEN_GROUP = "keystone_authtoken"
POLICY_GROUP = "oslo_policy"
GROUP = None


def register(conf: cfg.ConfigOpts) -> None:
    policy_opts._register(conf)


def authtoken_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """keystonemiddleware's options, with Abaca's defaults. Imported only when needed:
    keystonemiddleware takes a noticeable part of a second to import."""
    from keystonemiddleware import auth_token

    found: list[tuple[str, list[cfg.Opt]]] = auth_token.list_opts()
    for _group, opts in found:
        # Abaca takes no service tokens: only a token with a service role counts as one.
        cfg.set_defaults(opts, service_token_roles_required=True)
    return found


def register_auth_plugin(conf: cfg.ConfigOpts, sections: Iterable[str]) -> set[str]:
    """When Keystone is used or configured (``sections`` are the config files' groups),
    register keystonemiddleware's options and the auth plugin's where the config gives
    them; return the extra groups that hold them (the group ``auth_section`` names)."""
    try:
        keystone = conf.auth_strategy == "keystone"
    except cfg.Error:  # a bad value: the value check names it
        keystone = False
    if not keystone and AUTHTOKEN_GROUP not in sections:
        return set()
    from keystoneauth1 import exceptions as ks_exceptions
    from keystoneauth1 import loading

    for group_name, opts in authtoken_opts():
        conf.register_opts(opts, group=group_name)
    extra: set[str] = set()
    group = AUTHTOKEN_GROUP
    section = conf[AUTHTOKEN_GROUP].auth_section
    if section:
        if section in (AUTHTOKEN_GROUP, "DEFAULT"):
            raise ConfigError(f"[{AUTHTOKEN_GROUP}] auth_section must name another group")
        conf.register_opts(loading.get_auth_common_conf_options(), group=section)
        extra.add(section)
        group = section
    auth_type = conf[group].auth_type
    if not auth_type:
        return extra
    try:
        plugin_opts = loading.get_plugin_options(auth_type)
    except ks_exceptions.NoMatchingPlugin as exc:
        raise ConfigError(f"[{group}] auth_type: unknown auth plugin '{auth_type}' "
                          "(e.g. password, v3password, token)") from exc
    conf.register_opts([opt._to_oslo_opt() for opt in plugin_opts], group=group)
    return extra


def check_keystone(conf: cfg.ConfigOpts) -> None:
    """auth_strategy = keystone needs an auth plugin for validating tokens."""
    if conf.auth_strategy != "keystone":
        return
    section = conf[AUTHTOKEN_GROUP].auth_section or AUTHTOKEN_GROUP
    if not conf[section].auth_type:
        raise ConfigError(f"[DEFAULT] auth_strategy = keystone needs [{section}] auth_type "
                          "(e.g. password) and its options (auth_url, username, password, "
                          "...) for validating tokens")



_RULE_REFERENCE = re.compile(r"rule:([^\s()]+)")


def check_policy(conf: cfg.ConfigOpts) -> None:
    """[oslo_policy] policy_file must exist when one is named, and its rules must parse,
    refer only to defined rules, and each override a rule of Abaca's or serve as an
    alias that another rule refers to (a misspelt rule name would otherwise change
    nothing, silently)."""
    name = conf[POLICY_GROUP].policy_file
    default = next(o.default for o in policy_opts._options if o.dest == "policy_file")
    if conf.find_file(name) is None:
        if name != default:
            raise ConfigError(f"[{POLICY_GROUP}] policy_file: {name} not found")
        return
    # Imported here: oslo.policy's checks pull in requests, which few starts need.
    from oslo_policy import _checks, policy

    from abaca.policies import list_rules

    enforcer = policy.Enforcer(conf, use_conf=True)
    enforcer.register_defaults(list_rules())
    try:
        enforcer.load_rules()
        enforcer.check_rules(raise_on_violation=True)
    except policy.InvalidDefinitionError as exc:
        raise ConfigError(f"[{POLICY_GROUP}] policy_file {name}: {exc}") from exc
    except (ValueError, AttributeError, TypeError) as exc:  # not YAML, not a mapping
        raise ConfigError(f"[{POLICY_GROUP}] policy_file {name}: {exc}") from exc
    unparsed = sorted(rule for rule, default_rule in enforcer.file_rules.items()
                      if isinstance(default_rule.check, _checks.FalseCheck)
                      and default_rule.check_str.strip() != "!")
    if unparsed:
        raise ConfigError(f"[{POLICY_GROUP}] policy_file {name}: cannot parse the rules "
                          f"{unparsed}")
    referenced = {ref for rule in enforcer.rules.values()
                  for ref in _RULE_REFERENCE.findall(str(rule))}
    unknown = sorted(set(enforcer.file_rules) - set(enforcer.registered_rules) - referenced)
    if unknown:
        raise ConfigError(f"[{POLICY_GROUP}] policy_file {name}: {unknown} are not rules of "
                          "Abaca (oslopolicy-sample-generator --namespace abaca lists them) "
                          "nor referred to by any rule")
