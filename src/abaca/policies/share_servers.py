"""Rules for share servers (admin)."""

from __future__ import annotations

from oslo_policy import policy

RULES: list[policy.RuleDefault] = [
    policy.DocumentedRuleDefault(
        name='share_server:index',
        check_str='rule:context_is_admin',
        description=('Who may call GET /share-servers?{query}.'),
        operations=[
            {'method': 'GET',
             'path': '/share-servers?{query}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_server:show',
        check_str='rule:context_is_admin',
        description=('Who may call GET /share-servers/{server_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/share-servers/{server_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_server:details',
        check_str='rule:context_is_admin',
        description=('Who may call GET /share-servers/{server_id}/details.'),
        operations=[
            {'method': 'GET',
             'path': '/share-servers/{server_id}/details'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_server:delete',
        check_str='rule:context_is_admin',
        description=('Who may call DELETE /share-servers/{server_id}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/share-servers/{server_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_server:manage_share_server',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-servers/manage.'),
        operations=[
            {'method': 'POST',
             'path': '/share-servers/manage'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_server:unmanage_share_server',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-servers/{share_server_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-servers/{share_server_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_server:reset_status',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-servers/{share_server_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-servers/{share_server_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_server:share_server_migration_start',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-servers/{share_server_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-servers/{share_server_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_server:share_server_migration_check',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-servers/{share_server_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-servers/{share_server_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_server:share_server_migration_complete',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-servers/{share_server_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-servers/{share_server_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_server:share_server_migration_cancel',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-servers/{share_server_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-servers/{share_server_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_server:share_server_migration_get_progress',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-servers/{share_server_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-servers/{share_server_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_server:share_server_reset_task_state',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-servers/{share_server_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-servers/{share_server_id}/action'},
        ]),
]
