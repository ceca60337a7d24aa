"""Rules for share groups, group snapshots and group types."""

from __future__ import annotations

from oslo_policy import policy

RULES: list[policy.RuleDefault] = [
    policy.DocumentedRuleDefault(
        name='share_group_types_spec:create',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-group-types/{share_group_type_id}/group-'
                     'specs.'),
        operations=[
            {'method': 'POST',
             'path': '/share-group-types/{share_group_type_id}/group-specs'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_types_spec:index',
        check_str='rule:context_is_admin',
        description=('Who may call GET /share-group-types/{share_group_type_id}/group-specs.'),
        operations=[
            {'method': 'GET',
             'path': '/share-group-types/{share_group_type_id}/group-specs'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_types_spec:show',
        check_str='rule:context_is_admin',
        description=('Who may call GET /share-group-types/{share_group_type_id}/group-'
                     'specs/{key}.'),
        operations=[
            {'method': 'GET',
             'path': '/share-group-types/{share_group_type_id}/group-specs/{key}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_types_spec:update',
        check_str='rule:context_is_admin',
        description=('Who may call PUT /share-group-types/{share_group_type_id}/group-'
                     'specs/{key}.'),
        operations=[
            {'method': 'PUT',
             'path': '/share-group-types/{share_group_type_id}/group-specs/{key}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_types_spec:delete',
        check_str='rule:context_is_admin',
        description=('Who may call DELETE /share-group-types/{share_group_type_id}/group-'
                     'specs/{key}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/share-group-types/{share_group_type_id}/group-specs/{key}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_type:create',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-group-types.'),
        operations=[
            {'method': 'POST',
             'path': '/share-group-types'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_type:index',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-group-types?is_public=all.'),
        operations=[
            {'method': 'GET',
             'path': '/share-group-types?is_public=all'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_type:show',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-group-types/{share_group_type_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/share-group-types/{share_group_type_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_type:default',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-group-types/default.'),
        operations=[
            {'method': 'GET',
             'path': '/share-group-types/default'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_type:delete',
        check_str='rule:context_is_admin',
        description=('Who may call DELETE /share-group-types/{share_group_type_id}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/share-group-types/{share_group_type_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_type:list_project_access',
        check_str='rule:context_is_admin',
        description=('Who may call GET /share-group-types/{share_group_type_id}/access.'),
        operations=[
            {'method': 'GET',
             'path': '/share-group-types/{share_group_type_id}/access'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_type:add_project_access',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-group-types/{share_group_type_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-group-types/{share_group_type_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_type:remove_project_access',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-group-types/{share_group_type_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-group-types/{share_group_type_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_snapshot:create',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /share-group-snapshots.'),
        operations=[
            {'method': 'POST',
             'path': '/share-group-snapshots'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_snapshot:get',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-group-snapshots/{share_group_snapshot_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/share-group-snapshots/{share_group_snapshot_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_snapshot:get_all',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-group-snapshots?{query}; GET /share-group-'
                     'snapshots/detail?{query}.'),
        operations=[
            {'method': 'GET',
             'path': '/share-group-snapshots?{query}'},
            {'method': 'GET',
             'path': '/share-group-snapshots/detail?{query}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_snapshot:update',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call PUT /share-group-snapshots/{share_group_snapshot_id}.'),
        operations=[
            {'method': 'PUT',
             'path': '/share-group-snapshots/{share_group_snapshot_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_snapshot:delete',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call DELETE /share-group-snapshots/{share_group_snapshot_id}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/share-group-snapshots/{share_group_snapshot_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_snapshot:force_delete',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-group-'
                     'snapshots/{share_group_snapshot_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-group-snapshots/{share_group_snapshot_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group_snapshot:reset_status',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-group-'
                     'snapshots/{share_group_snapshot_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-group-snapshots/{share_group_snapshot_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group:create',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /share-groups.'),
        operations=[
            {'method': 'POST',
             'path': '/share-groups'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group:get',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-groups/{share_group_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/share-groups/{share_group_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group:get_all',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-groups?{query}; GET /share-'
                     'groups/detail?{query}.'),
        operations=[
            {'method': 'GET',
             'path': '/share-groups?{query}'},
            {'method': 'GET',
             'path': '/share-groups/detail?{query}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group:update',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call PUT /share-groups/{share_group_id}.'),
        operations=[
            {'method': 'PUT',
             'path': '/share-groups/{share_group_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group:delete',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call DELETE /share-groups/{share_group_id}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/share-groups/{share_group_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group:force_delete',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-groups/{share_group_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-groups/{share_group_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_group:reset_status',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-groups/{share_group_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-groups/{share_group_id}/action'},
        ]),
]
