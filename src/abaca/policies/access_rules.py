"""Rules for share access rules and their metadata."""

from __future__ import annotations

from oslo_policy import policy

RULES: list[policy.RuleDefault] = [
    policy.DocumentedRuleDefault(
        name='share_access_rule:get',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-access-rules/{share_access_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/share-access-rules/{share_access_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_access_rule:index',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-access-'
                     'rules?share_id={share_id}&key1=value1&key2=value2.'),
        operations=[
            {'method': 'GET',
             'path': '/share-access-rules?share_id={share_id}&key1=value1&key2=value2'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_access_rule:update',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call PUT /share-access-rules/{share_access_id}.'),
        operations=[
            {'method': 'PUT',
             'path': '/share-access-rules/{share_access_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_access_metadata:update',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call PUT /share-access-rules/{share_access_id}/metadata.'),
        operations=[
            {'method': 'PUT',
             'path': '/share-access-rules/{share_access_id}/metadata'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_access_metadata:delete',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call DELETE /share-access-'
                     'rules/{share_access_id}/metadata/{key}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/share-access-rules/{share_access_id}/metadata/{key}'},
        ]),
]
