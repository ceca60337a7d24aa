"""Abaca's policy: the personas' defaults, policy.yaml overrides, and the oslo.policy
command-line tools listing Abaca's rules."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from abaca import conf as confmod
from abaca import policy
from abaca.common.context import RequestContext
from abaca.common.errors import Forbidden

BIN = Path(sys.executable).parent
A, B = "project-a", "project-b"
TARGET_A = {"project_id": A, "user_id": "someone"}


def _ctx(project: str, *roles: str) -> RequestContext:
    return RequestContext(user_id=f"user-{roles[0]}", project_id=project, roles=roles,
                          is_admin=policy.is_admin(roles, project, f"user-{roles[0]}"))


@pytest.fixture
def policy_file(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "policy.yaml"
    path.write_text("# none\n")
    (tmp_path / "abaca.conf").write_text(f"[oslo_policy]\npolicy_file = {path}\n")
    conf = confmod.new_conf()
    conf(["--config-file", str(tmp_path / "abaca.conf")], project="abaca")
    policy.init(conf)
    yield path
    policy.init(confmod.new_conf())


# Keystone's implied roles: an admin also holds member and reader, a member reader.
ADMIN, MEMBER, READER = ("admin", "member", "reader"), ("member", "reader"), ("reader",)


@pytest.mark.parametrize(("rule", "allowed"), [
    ("share:create", {"a-admin", "a-member", "b-admin"}),
    ("share:get", {"a-admin", "a-member", "a-reader", "b-admin"}),
    ("share:delete", {"a-admin", "a-member", "b-admin"}),
    ("share:reset_status", {"a-admin", "b-admin"}),
    ("share:create_public_share", {"a-admin", "b-admin"}),
    ("share_snapshot:get_snapshot", {"a-admin", "a-member", "a-reader", "b-admin"}),
    ("share_type:create", {"a-admin", "b-admin"}),
    ("service:index", {"a-admin", "b-admin"}),
])
def test_personas_on_a_resource_of_project_a(policy_file: Path, rule: str,
                                             allowed: set[str]) -> None:
    personas = {f"{p[0]}-{roles[0]}": _ctx(project, *roles)
                for p, project in (("a", A), ("b", B))
                for roles in (ADMIN, MEMBER, READER)}
    outcome = {name for name, ctx in personas.items()
               if policy.authorize(ctx, rule, TARGET_A, do_raise=False)}
    assert outcome == allowed


def test_a_refusal_is_forbidden_naming_the_rule(policy_file: Path) -> None:
    with pytest.raises(Forbidden, match="Policy doesn't allow share:create to be performed"):
        policy.authorize(_ctx(A, *READER), "share:create", TARGET_A)
    with pytest.raises(RuntimeError, match="not registered"):
        policy.authorize(_ctx(A, *ADMIN), "share:no_such_rule", TARGET_A)


def test_is_admin_follows_context_is_admin(policy_file: Path) -> None:
    assert policy.is_admin(["admin", "member"], A, "u")
    assert not policy.is_admin(["member", "reader"], A, "u")
    policy_file.write_text('"context_is_admin": "role:cloud-admin"\n')
    assert policy.is_admin(["cloud-admin"], A, "u")
    assert not policy.is_admin(["admin"], A, "u")


def test_policy_file_overrides_a_default(policy_file: Path) -> None:
    member = _ctx(A, *MEMBER)
    assert policy.authorize(member, "share:create", TARGET_A, do_raise=False)
    policy_file.write_text('"share:create": "rule:context_is_admin"\n')
    assert not policy.authorize(member, "share:create", TARGET_A, do_raise=False)
    assert policy.authorize(_ctx(A, *ADMIN), "share:create", TARGET_A, do_raise=False)


def _tool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / args[0]), *args[1:]], capture_output=True, text=True,
                          timeout=120, check=False)


def test_sample_generator_lists_abacas_rules() -> None:
    result = _tool("oslopolicy-sample-generator", "--namespace", "abaca")
    assert result.returncode == 0, result.stderr
    for rule in ('#"share:create": "(rule:context_is_admin) or (rule:project-member)"',
                 '#"share_snapshot:reset_status": "rule:context_is_admin"',
                 '#"service:index": "rule:context_is_admin"'):
        assert rule in result.stdout


def test_policy_tools_read_the_services_config(tmp_path: Path) -> None:
    policy_path = tmp_path / "policy.yaml"
    policy_path.write_text('"share:create": "rule:context_is_admin"\n'
                           '"share:get": "(rule:context_is_admin) or (rule:project-reader)"\n')
    config = tmp_path / "abaca.conf"
    config.write_text(f"[oslo_policy]\npolicy_file = {policy_path}\n")
    redundant = _tool("oslopolicy-list-redundant", "--namespace", "abaca",
                      "--config-file", str(config))
    assert redundant.returncode == 0, redundant.stderr
    assert redundant.stdout.strip().splitlines() == [
        '"share:get": "(rule:context_is_admin) or (rule:project-reader)"']
    effective = tmp_path / "effective.yaml"
    generated = _tool("oslopolicy-policy-generator", "--namespace", "abaca",
                      "--config-file", str(config), "--output-file", str(effective))
    assert generated.returncode == 0, generated.stderr
    lines = effective.read_text().splitlines()
    assert '"share:create": "rule:context_is_admin"' in lines
    assert '"share:delete": "(rule:context_is_admin) or (rule:project-member)"' in lines
