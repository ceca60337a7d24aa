"""Rules for availability zones, scheduler statistics and services."""

from __future__ import annotations

from oslo_policy import policy

RULES: list[policy.RuleDefault] = [
    policy.DocumentedRuleDefault(
        name='availability_zone:index',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /os-availability-zone; GET /availability-zone.'),
        operations=[
            {'method': 'GET',
             'path': '/os-availability-zone'},
            {'method': 'GET',
             'path': '/availability-zone'},
        ]),
    policy.DocumentedRuleDefault(
        name='scheduler_stats:pools:index',
        check_str='rule:context_is_admin',
        description=('Who may call GET /scheduler-stats/pools?{query}.'),
        operations=[
            {'method': 'GET',
             'path': '/scheduler-stats/pools?{query}'},
        ]),
    policy.DocumentedRuleDefault(
        name='scheduler_stats:pools:detail',
        check_str='rule:context_is_admin',
        description=('Who may call GET /scheduler-stats/pools/detail?{query}.'),
        operations=[
            {'method': 'GET',
             'path': '/scheduler-stats/pools/detail?{query}'},
        ]),
    policy.DocumentedRuleDefault(
        name='service:index',
        check_str='rule:context_is_admin',
        description=('Who may call GET /os-services?{query}; GET /services?{query}.'),
        operations=[
            {'method': 'GET',
             'path': '/os-services?{query}'},
            {'method': 'GET',
             'path': '/services?{query}'},
        ]),
    policy.DocumentedRuleDefault(
        name='service:update',
        check_str='rule:context_is_admin',
        description=('Who may call PUT /os-services/disable; PUT /os-services/enable; PUT '
                     '/services/disable; PUT /services/enable.'),
        operations=[
            {'method': 'PUT',
             'path': '/os-services/disable'},
            {'method': 'PUT',
             'path': '/os-services/enable'},
            {'method': 'PUT',
             'path': '/services/disable'},
            {'method': 'PUT',
             'path': '/services/enable'},
        ]),
    policy.DocumentedRuleDefault(
        name='service:ensure_shares',
        check_str='rule:context_is_admin',
        description=('Who may call POST /services/ensure.'),
        operations=[
            {'method': 'POST',
             'path': '/services/ensure'},
        ]),
]
