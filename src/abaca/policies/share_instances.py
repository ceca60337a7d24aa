"""Rules for share instances (admin) and their export locations."""

from __future__ import annotations

from oslo_policy import policy

RULES: list[policy.RuleDefault] = [
    policy.DocumentedRuleDefault(
        name='share_instance_export_location:index',
        check_str='rule:context_is_admin',
        description=('Who may call POST '
                     '/share_instances/{share_instance_id}/export_locations.'),
        operations=[
            {'method': 'POST',
             'path': '/share_instances/{share_instance_id}/export_locations'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_instance_export_location:show',
        check_str='rule:context_is_admin',
        description=('Who may call GET /share_instances/{share_instance_id}/export_locations'
                     '/{export_location_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/share_instances/{share_instance_id}/export_locations/{export_location_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_instance:index',
        check_str='rule:context_is_admin',
        description=('Who may call GET /share_instances; GET /share_instances?{query}.'),
        operations=[
            {'method': 'GET',
             'path': '/share_instances'},
            {'method': 'GET',
             'path': '/share_instances?{query}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_instance:show',
        check_str='rule:context_is_admin',
        description=('Who may call GET /share_instances/{share_instance_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/share_instances/{share_instance_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_instance:force_delete',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share_instances/{share_instance_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share_instances/{share_instance_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_instance:reset_status',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share_instances/{share_instance_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share_instances/{share_instance_id}/action'},
        ]),
]
