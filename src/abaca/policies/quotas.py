"""Rules for quota sets and quota classes."""

from __future__ import annotations

from oslo_policy import policy

RULES: list[policy.RuleDefault] = [
    policy.DocumentedRuleDefault(
        name='quota_set:update',
        check_str='rule:context_is_admin',
        description=('Who may call PUT /quota-sets/{project_id}; PUT /quota-'
                     'sets/{project_id}?user_id={user_id}; PUT /quota-'
                     'sets/{project_id}?share_type={share_type_id}; PUT /os-quota-'
                     'sets/{project_id}; PUT /os-quota-sets/{project_id}?user_id={user_id}.'),
        operations=[
            {'method': 'PUT',
             'path': '/quota-sets/{project_id}'},
            {'method': 'PUT',
             'path': '/quota-sets/{project_id}?user_id={user_id}'},
            {'method': 'PUT',
             'path': '/quota-sets/{project_id}?share_type={share_type_id}'},
            {'method': 'PUT',
             'path': '/os-quota-sets/{project_id}'},
            {'method': 'PUT',
             'path': '/os-quota-sets/{project_id}?user_id={user_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='quota_set:show',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /quota-sets/{project_id}/defaults; GET /os-quota-'
                     'sets/{project_id}/defaults.'),
        operations=[
            {'method': 'GET',
             'path': '/quota-sets/{project_id}/defaults'},
            {'method': 'GET',
             'path': '/os-quota-sets/{project_id}/defaults'},
        ]),
    policy.DocumentedRuleDefault(
        name='quota_set:delete',
        check_str='rule:context_is_admin',
        description=('Who may call DELETE /quota-sets/{project_id}; DELETE /quota-'
                     'sets/{project_id}?user_id={user_id}; DELETE /quota-'
                     'sets/{project_id}?share_type={share_type_id}; DELETE /os-quota-'
                     'sets/{project_id}; DELETE /os-quota-'
                     'sets/{project_id}?user_id={user_id}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/quota-sets/{project_id}'},
            {'method': 'DELETE',
             'path': '/quota-sets/{project_id}?user_id={user_id}'},
            {'method': 'DELETE',
             'path': '/quota-sets/{project_id}?share_type={share_type_id}'},
            {'method': 'DELETE',
             'path': '/os-quota-sets/{project_id}'},
            {'method': 'DELETE',
             'path': '/os-quota-sets/{project_id}?user_id={user_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='quota_class_set:update',
        check_str='rule:context_is_admin',
        description=('Who may call PUT /quota-class-sets/{class_name}; PUT /os-quota-class-'
                     'sets/{class_name}.'),
        operations=[
            {'method': 'PUT',
             'path': '/quota-class-sets/{class_name}'},
            {'method': 'PUT',
             'path': '/os-quota-class-sets/{class_name}'},
        ]),
    policy.DocumentedRuleDefault(
        name='quota_class_set:show',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /quota-class-sets/{class_name}; GET /os-quota-class-'
                     'sets/{class_name}.'),
        operations=[
            {'method': 'GET',
             'path': '/quota-class-sets/{class_name}'},
            {'method': 'GET',
             'path': '/os-quota-class-sets/{class_name}'},
        ]),
]
