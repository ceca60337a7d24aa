"""Abaca's default policy rules, one module per resource family.

The defaults follow Manila's personas: ``context_is_admin`` (role admin), and the
project ``member`` and ``reader`` roles scoped to the target's project. An operator
overrides any rule in ``policy.yaml``; ``oslopolicy-sample-generator --namespace abaca``
and ``oslopolicy-list-redundant --namespace abaca`` list them.
"""

from __future__ import annotations

from oslo_policy import policy

from abaca.policies import (
    access_rules,
    base,
    messages,
    misc,
    quotas,
    security_services,
    share_groups,
    share_instances,
    share_networks,
    share_replicas,
    share_servers,
    share_types,
    shares,
    snapshots,
)

_MODULES = (base, misc, shares, share_instances, access_rules, snapshots, share_types,
            share_networks, security_services, share_servers, quotas, share_groups,
            share_replicas, messages)


def list_rules() -> list[policy.RuleDefault]:
    rules: list[policy.RuleDefault] = []
    for module in _MODULES:
        rules.extend(module.RULES)
    return rules
