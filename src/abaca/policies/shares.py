"""Rules for shares, their actions, metadata and export locations."""

from __future__ import annotations

from oslo_policy import policy

RULES: list[policy.RuleDefault] = [
    policy.DocumentedRuleDefault(
        name='share:create',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /shares.'),
        operations=[
            {'method': 'POST',
             'path': '/shares'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:create_public_share',
        check_str='rule:context_is_admin',
        description=('Who may call POST /shares.'),
        operations=[
            {'method': 'POST',
             'path': '/shares'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:get',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /shares/{share_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/shares/{share_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:get_all',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /shares?{query}; GET /shares/detail?{query}.'),
        operations=[
            {'method': 'GET',
             'path': '/shares?{query}'},
            {'method': 'GET',
             'path': '/shares/detail?{query}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:update',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call PUT /shares/{share_id}.'),
        operations=[
            {'method': 'PUT',
             'path': '/shares/{share_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:set_public_share',
        check_str='rule:context_is_admin',
        description=('Who may call PUT /shares/{share_id}.'),
        operations=[
            {'method': 'PUT',
             'path': '/shares/{share_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:delete',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call DELETE /shares/{share_id}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/shares/{share_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:soft_delete',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /shares/{share_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/shares/{share_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:restore',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /shares/{share_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/shares/{share_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:force_delete',
        check_str='rule:context_is_admin',
        description=('Who may call DELETE /shares/{share_id}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/shares/{share_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:manage',
        check_str='rule:context_is_admin',
        description=('Who may call POST /shares/manage.'),
        operations=[
            {'method': 'POST',
             'path': '/shares/manage'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:unmanage',
        check_str='rule:context_is_admin',
        description=('Who may call POST /shares/unmanage.'),
        operations=[
            {'method': 'POST',
             'path': '/shares/unmanage'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:list_by_host',
        check_str='rule:context_is_admin',
        description=('Who may call GET /shares?host={host}; GET /shares/detail?host={host}.'),
        operations=[
            {'method': 'GET',
             'path': '/shares?host={host}'},
            {'method': 'GET',
             'path': '/shares/detail?host={host}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:list_by_share_server_id',
        check_str='rule:context_is_admin',
        description=('Who may call GET /shares?share_server_id={share_server_id}; GET '
                     '/shares/detail?share_server_id={share_server_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/shares?share_server_id={share_server_id}'},
            {'method': 'GET',
             'path': '/shares/detail?share_server_id={share_server_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:access_get',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call POST /shares/{share_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/shares/{share_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:access_get_all',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /shares/{share_id}/action.'),
        operations=[
            {'method': 'GET',
             'path': '/shares/{share_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:extend',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /shares/{share_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/shares/{share_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:force_extend',
        check_str='rule:context_is_admin',
        description=('Who may call POST /shares/{share_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/shares/{share_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:extend_beyond_max_share_size_spec',
        check_str='rule:context_is_admin',
        description=('Who may call POST /shares/{share_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/shares/{share_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:shrink',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /shares/{share_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/shares/{share_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:migration_start',
        check_str='rule:context_is_admin',
        description=('Who may call POST /shares/{share_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/shares/{share_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:migration_complete',
        check_str='rule:context_is_admin',
        description=('Who may call POST /shares/{share_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/shares/{share_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:migration_cancel',
        check_str='rule:context_is_admin',
        description=('Who may call POST /shares/{share_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/shares/{share_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:migration_get_progress',
        check_str='rule:context_is_admin',
        description=('Who may call POST /shares/{share_id}/action; GET '
                     '/shares/{share_id}/migration-progress.'),
        operations=[
            {'method': 'POST',
             'path': '/shares/{share_id}/action'},
            {'method': 'GET',
             'path': '/shares/{share_id}/migration-progress'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:reset_task_state',
        check_str='rule:context_is_admin',
        description=('Who may call POST /shares/{share_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/shares/{share_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:reset_status',
        check_str='rule:context_is_admin',
        description=('Who may call POST /shares/{share_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/shares/{share_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:revert_to_snapshot',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /shares/{share_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/shares/{share_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:allow_access',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /shares/{share_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/shares/{share_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:deny_access',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /shares/{share_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/shares/{share_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:update_share_metadata',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call PUT /shares/{share_id}/metadata; POST '
                     '/shares/{share_id}/metadata/{key}; POST /shares/{share_id}/metadata.'),
        operations=[
            {'method': 'PUT',
             'path': '/shares/{share_id}/metadata'},
            {'method': 'POST',
             'path': '/shares/{share_id}/metadata/{key}'},
            {'method': 'POST',
             'path': '/shares/{share_id}/metadata'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:delete_share_metadata',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call DELETE /shares/{share_id}/metadata/{key}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/shares/{share_id}/metadata/{key}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:get_share_metadata',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /shares/{share_id}/metadata; GET '
                     '/shares/{share_id}/metadata/{key}.'),
        operations=[
            {'method': 'GET',
             'path': '/shares/{share_id}/metadata'},
            {'method': 'GET',
             'path': '/shares/{share_id}/metadata/{key}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:list_shares_in_deferred_deletion_states',
        check_str='rule:context_is_admin',
        description=('Who may call GET /v2/shares; GET /shares/{share_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/v2/shares'},
            {'method': 'GET',
             'path': '/shares/{share_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:list_all_projects',
        check_str='rule:context_is_admin',
        description=('Who may call GET /shares?all_tenants=1; GET '
                     '/shares/detail?all_tenants=1.'),
        operations=[
            {'method': 'GET',
             'path': '/shares?all_tenants=1'},
            {'method': 'GET',
             'path': '/shares/detail?all_tenants=1'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:create_snapshot',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /snapshots.'),
        operations=[
            {'method': 'POST',
             'path': '/snapshots'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:delete_snapshot',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call DELETE /snapshots/{snapshot_id}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/snapshots/{snapshot_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:snapshot_update',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call PUT /snapshots/{snapshot_id}/action.'),
        operations=[
            {'method': 'PUT',
             'path': '/snapshots/{snapshot_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share:update_admin_only_metadata',
        check_str='rule:context_is_admin',
        description=('Who may call PUT /shares/{share_id}/metadata.'),
        operations=[
            {'method': 'PUT',
             'path': '/shares/{share_id}/metadata'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_export_location:index',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /shares/{share_id}/export_locations.'),
        operations=[
            {'method': 'GET',
             'path': '/shares/{share_id}/export_locations'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_export_location:show',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET '
                     '/shares/{share_id}/export_locations/{export_location_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/shares/{share_id}/export_locations/{export_location_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_export_location:update_metadata',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call PUT '
                     '/shares/{share_id}/export_locations/{export_location_id}/metadata; '
                     'POST /shares/{share_id}/export_locations/{export_location_id}/metadata'
                     '/{key}; POST '
                     '/shares/{share_id}/export_locations/{export_location_id}/metadata.'),
        operations=[
            {'method': 'PUT',
             'path': '/shares/{share_id}/export_locations/{export_location_id}/metadata'},
            {'method': 'POST',
             'path': '/shares/{share_id}/export_locations/{export_location_id}/metadata/{key}'},
            {'method': 'POST',
             'path': '/shares/{share_id}/export_locations/{export_location_id}/metadata'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_export_location:delete_metadata',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call DELETE /shares/{share_id}/export_locations/{export_locati'
                     'on_id}/metadata/{key}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/shares/{share_id}/export_locations/{export_location_id}/metadata/{key}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_export_location:get_metadata',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET '
                     '/shares/{share_id}/export_locations/{export_location_id}/metadata; GET'
                     ' /shares/{share_id}/export_locations/{export_location_id}/metadata/{ke'
                     'y}.'),
        operations=[
            {'method': 'GET',
             'path': '/shares/{share_id}/export_locations/{export_location_id}/metadata'},
            {'method': 'GET',
             'path': '/shares/{share_id}/export_locations/{export_location_id}/metadata/{key}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_export_location:update_admin_only_metadata',
        check_str='rule:context_is_admin',
        description=('Who may call PUT '
                     '/shares/{share_id}/export_locations/{export_location_id}/metadata.'),
        operations=[
            {'method': 'PUT',
             'path': '/shares/{share_id}/export_locations/{export_location_id}/metadata'},
        ]),
]
