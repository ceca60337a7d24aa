"""Base rules the others refer to: personas and admin checks."""

from __future__ import annotations

from oslo_policy import policy

RULES: list[policy.RuleDefault] = [
    policy.RuleDefault('project-admin', 'role:admin and project_id:%(project_id)s'),
    policy.RuleDefault('project-member', 'role:member and project_id:%(project_id)s'),
    policy.RuleDefault('project-reader', 'role:reader and project_id:%(project_id)s'),
    policy.RuleDefault('owner-user', 'user_id:%(user_id)s and project_id:%(project_id)s'),
    policy.RuleDefault('admin_or_service_api', 'role:admin or role:service'),
    policy.RuleDefault('context_is_admin', 'role:admin'),
    policy.RuleDefault('context_is_host_admin', 'role:admin and project_id:%(project_id)s'),
    policy.RuleDefault('admin_or_owner', 'is_admin:True or project_id:%(project_id)s'),
    policy.RuleDefault('admin_or_owner_user', 'is_admin:True or project_id:%(project_id)s and user_id:%(user_id)s'),
    policy.RuleDefault('default', 'rule:admin_or_owner'),
    policy.RuleDefault('admin_api', 'is_admin:True'),
]
