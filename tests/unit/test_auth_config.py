"""[keystone_authtoken] and [oslo_policy] at start: keystonemiddleware's own options, the
options of the auth plugin ``auth_type`` names (in the group itself or in the group
``auth_section`` names), and nothing else."""

from __future__ import annotations

from pathlib import Path

import pytest

from abaca import conf as confmod
from abaca.common.errors import ConfigError

PASSWORD_PLUGIN = {"auth_type": "password", "auth_url": "http://127.0.0.1:5000/v3",
                   "username": "abaca", "password": "pw", "project_name": "service",
                   "user_domain_name": "Default", "project_domain_name": "Default"}


def _load(tmp_path: Path, sections: dict[str, dict[str, str]]) -> object:
    merged: dict[str, dict[str, str]] = {"DEFAULT": {"state_path": str(tmp_path / "state")}}
    for group, values in sections.items():
        merged.setdefault(group, {}).update(values)
    text = "".join(f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in values.items())
                   for group, values in merged.items())
    path = tmp_path / "abaca.conf"
    path.write_text(text)
    return confmod.load(["--config-file", str(path)])


def test_keystone_with_the_password_plugin_loads(tmp_path: Path) -> None:
    (tmp_path / "policy.yaml").write_text('"share:create": "rule:context_is_admin"\n')
    conf = _load(tmp_path, {
        "DEFAULT": {"auth_strategy": "keystone"},
        "keystone_authtoken": {**PASSWORD_PLUGIN, "www_authenticate_uri":
                               "http://127.0.0.1:5000/v3", "http_connect_timeout": "5"},
        "oslo_policy": {"policy_file": str(tmp_path / "policy.yaml")},
    })
    group = conf.keystone_authtoken  # type: ignore[attr-defined]
    assert (group.auth_type, group.username, group.http_connect_timeout) == (
        "password", "abaca", 5)
    assert conf.oslo_policy.policy_file == str(tmp_path / "policy.yaml")  # type: ignore[attr-defined]


def test_plugin_options_in_the_group_auth_section_names(tmp_path: Path) -> None:
    conf = _load(tmp_path, {
        "DEFAULT": {"auth_strategy": "keystone"},
        "keystone_authtoken": {"auth_section": "service_auth"},
        "service_auth": PASSWORD_PLUGIN,
    })
    assert conf.service_auth.username == "abaca"  # type: ignore[attr-defined]
    with pytest.raises(ConfigError, match=r"unknown option 'usrname' in group \[service_auth\]"):
        _load(tmp_path, {"keystone_authtoken": {"auth_section": "service_auth"},
                         "service_auth": {**PASSWORD_PLUGIN, "usrname": "typo"}})


@pytest.mark.parametrize(("sections", "message"), [
    ({"keystone_authtoken": {**PASSWORD_PLUGIN, "usernme": "typo"}},
     r"unknown option 'usernme' in group \[keystone_authtoken\]"),
    ({"keystone_authtoken": {"username": "abaca"}},  # plugin options without a plugin
     r"unknown option 'username' in group \[keystone_authtoken\]"),
    ({"keystone_authtoken": {"auth_type": "kerberos-ish"}},
     r"\[keystone_authtoken\] auth_type: unknown auth plugin 'kerberos-ish'"),
    ({"keystone_authtoken": {**PASSWORD_PLUGIN, "http_connect_timeout": "soon"}},
     r"invalid value for \[keystone_authtoken\] http_connect_timeout"),
    ({"DEFAULT": {"auth_strategy": "keystone"}},
     r"auth_strategy = keystone needs \[keystone_authtoken\] auth_type"),
    ({"oslo_policy": {"policy_fil": "policy.yaml"}},
     r"unknown option 'policy_fil' in group \[oslo_policy\]"),
    ({"keystone_authtoken": {"auth_section": "keystone_authtoken"}},
     r"auth_section must name another group"),
], ids=["misspelt-plugin-key", "plugin-key-without-plugin", "unknown-plugin",
        "bad-value", "keystone-without-plugin", "misspelt-policy-key", "self-section"])
def test_bad_auth_config_is_refused(tmp_path: Path, sections: dict[str, dict[str, str]],
                                    message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _load(tmp_path, sections)


def test_backend_groups_may_not_take_the_auth_groups_names(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="name of a built-in group"):
        _load(tmp_path, {"DEFAULT": {"enabled_share_backends": "keystone_authtoken"}})


def _with_policy(tmp_path: Path, text: str) -> object:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return _load(tmp_path, {"oslo_policy": {"policy_file": str(path)}})


def test_a_policy_file_with_overrides_and_an_alias_loads(tmp_path: Path) -> None:
    _with_policy(tmp_path, '"storage_admins": "role:storage-admin"\n'
                           '"share:create": "rule:storage_admins or rule:project-member"\n'
                           '"share:delete": "!"\n')


@pytest.mark.parametrize(("text", "message"), [
    ('"share:create": "rule:context_is_admin and ("\n',
     r"cannot parse the rules \['share:create'\]"),
    ('"share:create": "rule:no_such_rule"\n', r"\['share:create'\] are not well defined"),
    ('"share:craete": "rule:context_is_admin"\n', r"\['share:craete'\] are not rules of Abaca"),
    ("- not\n- a mapping\n", r"policy_file .*policy.yaml"),
], ids=["unparsable", "undefined-reference", "misspelt-rule-name", "not-a-mapping"])
def test_a_bad_policy_file_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        _with_policy(tmp_path, text)


def test_a_named_policy_file_must_exist(tmp_path: Path) -> None:
    _load(tmp_path, {})  # the default policy.yaml is optional
    with pytest.raises(ConfigError, match=r"\[oslo_policy\] policy_file: /nowhere/p.yaml not"):
        _load(tmp_path, {"oslo_policy": {"policy_file": "/nowhere/p.yaml"}})
