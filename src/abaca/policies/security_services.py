"""Rules for security services."""

from __future__ import annotations

from oslo_policy import policy

RULES: list[policy.RuleDefault] = [
    policy.DocumentedRuleDefault(
        name='security_service:create',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /security-services.'),
        operations=[
            {'method': 'POST',
             'path': '/security-services'},
        ]),
    policy.DocumentedRuleDefault(
        name='security_service:show',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /security-services/{security_service_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/security-services/{security_service_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='security_service:detail',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /security-services/detail?{query}.'),
        operations=[
            {'method': 'GET',
             'path': '/security-services/detail?{query}'},
        ]),
    policy.DocumentedRuleDefault(
        name='security_service:index',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /security-services?{query}.'),
        operations=[
            {'method': 'GET',
             'path': '/security-services?{query}'},
        ]),
    policy.DocumentedRuleDefault(
        name='security_service:update',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call PUT /security-services/{security_service_id}.'),
        operations=[
            {'method': 'PUT',
             'path': '/security-services/{security_service_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='security_service:delete',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call DELETE /security-services/{security_service_id}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/security-services/{security_service_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='security_service:get_all_security_services',
        check_str='rule:context_is_admin',
        description=('Who may call GET /security-services?all_tenants=1; GET /security-'
                     'services/detail?all_tenants=1.'),
        operations=[
            {'method': 'GET',
             'path': '/security-services?all_tenants=1'},
            {'method': 'GET',
             'path': '/security-services/detail?all_tenants=1'},
        ]),
]
