"""Rules for share types, their extra specs and project access."""

from __future__ import annotations

from oslo_policy import policy

RULES: list[policy.RuleDefault] = [
    policy.DocumentedRuleDefault(
        name='share_type:create',
        check_str='rule:context_is_admin',
        description=('Who may call POST /types.'),
        operations=[
            {'method': 'POST',
             'path': '/types'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_type:update',
        check_str='rule:context_is_admin',
        description=('Who may call PUT /types/{share_type_id}.'),
        operations=[
            {'method': 'PUT',
             'path': '/types/{share_type_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_type:show',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /types/{share_type_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/types/{share_type_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_type:index',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /types?is_public=all.'),
        operations=[
            {'method': 'GET',
             'path': '/types?is_public=all'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_type:default',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /types/default.'),
        operations=[
            {'method': 'GET',
             'path': '/types/default'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_type:delete',
        check_str='rule:context_is_admin',
        description=('Who may call DELETE /types/{share_type_id}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/types/{share_type_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_type:list_project_access',
        check_str='rule:context_is_admin',
        description=('Who may call GET /types/{share_type_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/types/{share_type_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_type:add_project_access',
        check_str='rule:context_is_admin',
        description=('Who may call POST /types/{share_type_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/types/{share_type_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_type:remove_project_access',
        check_str='rule:context_is_admin',
        description=('Who may call POST /types/{share_type_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/types/{share_type_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_types_extra_spec:create',
        check_str='rule:context_is_admin',
        description=('Who may call POST /types/{share_type_id}/extra_specs.'),
        operations=[
            {'method': 'POST',
             'path': '/types/{share_type_id}/extra_specs'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_types_extra_spec:show',
        check_str='rule:context_is_admin',
        description=('Who may call GET /types/{share_type_id}/extra_specs.'),
        operations=[
            {'method': 'GET',
             'path': '/types/{share_type_id}/extra_specs'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_types_extra_spec:index',
        check_str='rule:context_is_admin',
        description=('Who may call GET /types/{share_type_id}/extra_specs/{extra_spec_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/types/{share_type_id}/extra_specs/{extra_spec_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_types_extra_spec:update',
        check_str='rule:context_is_admin',
        description=('Who may call PUT /types/{share_type_id}/extra_specs.'),
        operations=[
            {'method': 'PUT',
             'path': '/types/{share_type_id}/extra_specs'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_types_extra_spec:delete',
        check_str='rule:context_is_admin',
        description=('Who may call DELETE /types/{share_type_id}/extra_specs/{key}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/types/{share_type_id}/extra_specs/{key}'},
        ]),
]
