"""Rules for snapshots, snapshot instances and their export locations."""

from __future__ import annotations

from oslo_policy import policy

RULES: list[policy.RuleDefault] = [
    policy.DocumentedRuleDefault(
        name='share_snapshot:get_snapshot',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /snapshots/{snapshot_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/snapshots/{snapshot_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot:get_all_snapshots',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /snapshots?{query}; GET /snapshots/detail?{query}.'),
        operations=[
            {'method': 'GET',
             'path': '/snapshots?{query}'},
            {'method': 'GET',
             'path': '/snapshots/detail?{query}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot:list_all_projects',
        check_str='rule:context_is_admin',
        description=('Who may call GET /snapshots?all_tenants=1; GET '
                     '/snapshots/detail?all_tenants=1.'),
        operations=[
            {'method': 'GET',
             'path': '/snapshots?all_tenants=1'},
            {'method': 'GET',
             'path': '/snapshots/detail?all_tenants=1'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot:force_delete',
        check_str='rule:context_is_admin',
        description=('Who may call DELETE /snapshots/{snapshot_id}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/snapshots/{snapshot_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot:manage_snapshot',
        check_str='rule:context_is_admin',
        description=('Who may call POST /snapshots/manage.'),
        operations=[
            {'method': 'POST',
             'path': '/snapshots/manage'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot:unmanage_snapshot',
        check_str='rule:context_is_admin',
        description=('Who may call POST /snapshots/{snapshot_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/snapshots/{snapshot_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot:reset_status',
        check_str='rule:context_is_admin',
        description=('Who may call POST /snapshots/{snapshot_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/snapshots/{snapshot_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot:access_list',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /snapshots/{snapshot_id}/access-list.'),
        operations=[
            {'method': 'GET',
             'path': '/snapshots/{snapshot_id}/access-list'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot:allow_access',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /snapshots/{snapshot_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/snapshots/{snapshot_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot:deny_access',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /snapshots/{snapshot_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/snapshots/{snapshot_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot:update_metadata',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call PUT /snapshots/{snapshot_id}/metadata; POST '
                     '/snapshots/{snapshot_id}/metadata/{key}; POST '
                     '/snapshots/{snapshot_id}/metadata.'),
        operations=[
            {'method': 'PUT',
             'path': '/snapshots/{snapshot_id}/metadata'},
            {'method': 'POST',
             'path': '/snapshots/{snapshot_id}/metadata/{key}'},
            {'method': 'POST',
             'path': '/snapshots/{snapshot_id}/metadata'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot:delete_metadata',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call DELETE /snapshots/{snapshot_id}/metadata/{key}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/snapshots/{snapshot_id}/metadata/{key}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot:get_metadata',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /snapshots/{snapshot_id}/metadata; GET '
                     '/snapshots/{snapshot_id}/metadata/{key}.'),
        operations=[
            {'method': 'GET',
             'path': '/snapshots/{snapshot_id}/metadata'},
            {'method': 'GET',
             'path': '/snapshots/{snapshot_id}/metadata/{key}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot:list_snapshots_in_deferred_deletion_states',
        check_str='rule:context_is_admin',
        description=('Who may call GET /v2/snapshots; GET /snapshots/{snapshot_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/v2/snapshots'},
            {'method': 'GET',
             'path': '/snapshots/{snapshot_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot_export_location:index',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /snapshots/{snapshot_id}/export-locations/.'),
        operations=[
            {'method': 'GET',
             'path': '/snapshots/{snapshot_id}/export-locations/'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot_export_location:show',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /snapshots/{snapshot_id}/export-'
                     'locations/{export_location_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/snapshots/{snapshot_id}/export-locations/{export_location_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot_instance:show',
        check_str='rule:context_is_admin',
        description=('Who may call GET /snapshot-instances/{snapshot_instance_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/snapshot-instances/{snapshot_instance_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot_instance:index',
        check_str='rule:context_is_admin',
        description=('Who may call GET /snapshot-instances?{query}.'),
        operations=[
            {'method': 'GET',
             'path': '/snapshot-instances?{query}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot_instance:detail',
        check_str='rule:context_is_admin',
        description=('Who may call GET /snapshot-instances/detail?{query}.'),
        operations=[
            {'method': 'GET',
             'path': '/snapshot-instances/detail?{query}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot_instance:reset_status',
        check_str='rule:context_is_admin',
        description=('Who may call POST /snapshot-instances/{snapshot_instance_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/snapshot-instances/{snapshot_instance_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot_instance_export_location:index',
        check_str='rule:context_is_admin',
        description=('Who may call GET /snapshot-instances/{snapshot_instance_id}/export-'
                     'locations.'),
        operations=[
            {'method': 'GET',
             'path': '/snapshot-instances/{snapshot_instance_id}/export-locations'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_snapshot_instance_export_location:show',
        check_str='rule:context_is_admin',
        description=('Who may call GET /snapshot-instances/{snapshot_instance_id}/export-'
                     'locations/{export_location_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/snapshot-instances/{snapshot_instance_id}/export-locations/{export_location_id}'},
        ]),
]
