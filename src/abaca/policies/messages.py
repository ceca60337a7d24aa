"""Rules for user messages."""

from __future__ import annotations

from oslo_policy import policy

RULES: list[policy.RuleDefault] = [
    policy.DocumentedRuleDefault(
        name='message:get',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /messages/{message_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/messages/{message_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='message:get_all',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /messages; GET /messages?{query}.'),
        operations=[
            {'method': 'GET',
             'path': '/messages'},
            {'method': 'GET',
             'path': '/messages?{query}'},
        ]),
    policy.DocumentedRuleDefault(
        name='message:delete',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call DELETE /messages/{message_id}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/messages/{message_id}'},
        ]),
]
