"""Rules for share replicas and their export locations."""

from __future__ import annotations

from oslo_policy import policy

RULES: list[policy.RuleDefault] = [
    policy.DocumentedRuleDefault(
        name='share_replica:create',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /share-replicas.'),
        operations=[
            {'method': 'POST',
             'path': '/share-replicas'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_replica:get_all',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-replicas; GET /share-replicas/detail; GET '
                     '/share-replicas/detail?share_id={share_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/share-replicas'},
            {'method': 'GET',
             'path': '/share-replicas/detail'},
            {'method': 'GET',
             'path': '/share-replicas/detail?share_id={share_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_replica:show',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-replicas/{share_replica_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/share-replicas/{share_replica_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_replica:delete',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call DELETE /share-replicas/{share_replica_id}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/share-replicas/{share_replica_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_replica:force_delete',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-replicas/{share_replica_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-replicas/{share_replica_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_replica:promote',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /share-replicas/{share_replica_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-replicas/{share_replica_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_replica:resync',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-replicas/{share_replica_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-replicas/{share_replica_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_replica:reset_replica_state',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-replicas/{share_replica_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-replicas/{share_replica_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_replica:reset_status',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-replicas/{share_replica_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-replicas/{share_replica_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_replica:update_metadata',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call PUT /share-replicas/{share_replica_id}/metadata; POST '
                     '/share-replicas/{share_replica_id}/metadata/{key}; POST /share-'
                     'replicas/{share_replica_id}/metadata.'),
        operations=[
            {'method': 'PUT',
             'path': '/share-replicas/{share_replica_id}/metadata'},
            {'method': 'POST',
             'path': '/share-replicas/{share_replica_id}/metadata/{key}'},
            {'method': 'POST',
             'path': '/share-replicas/{share_replica_id}/metadata'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_replica:delete_metadata',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call DELETE /share-replicas/{share_replica_id}/metadata/{key}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/share-replicas/{share_replica_id}/metadata/{key}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_replica:get_metadata',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call GET /share-replicas/{share_replica_id}/metadata; GET '
                     '/share-replicas/{share_replica_id}/metadata/{key}.'),
        operations=[
            {'method': 'GET',
             'path': '/share-replicas/{share_replica_id}/metadata'},
            {'method': 'GET',
             'path': '/share-replicas/{share_replica_id}/metadata/{key}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_replica_export_location:index',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-replicas/{share_replica_id}/export-locations.'),
        operations=[
            {'method': 'GET',
             'path': '/share-replicas/{share_replica_id}/export-locations'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_replica_export_location:show',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-replicas/{share_replica_id}/export-'
                     'locations/{export_location_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/share-replicas/{share_replica_id}/export-locations/{export_location_id}'},
        ]),
]
