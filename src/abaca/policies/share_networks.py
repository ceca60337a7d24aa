"""Rules for share networks and their subnets."""

from __future__ import annotations

from oslo_policy import policy

RULES: list[policy.RuleDefault] = [
    policy.DocumentedRuleDefault(
        name='share_network:create',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /share-networks.'),
        operations=[
            {'method': 'POST',
             'path': '/share-networks'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network:set_network_info',
        check_str='rule:context_is_admin',
        description=('Who may give a share network subnet its own network (cidr, gateway, '
                     'mtu, segmentation_id, network_type, ip_version: an Abaca extension '
                     'read by the standalone network helper) when creating a share '
                     'network or a subnet.'),
        operations=[
            {'method': 'POST',
             'path': '/share-networks'},
            {'method': 'POST',
             'path': '/share-networks/{share_network_id}/subnets'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network:show',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-networks/{share_network_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/share-networks/{share_network_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network:index',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-networks?{query}.'),
        operations=[
            {'method': 'GET',
             'path': '/share-networks?{query}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network:detail',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-networks/detail?{query}.'),
        operations=[
            {'method': 'GET',
             'path': '/share-networks/detail?{query}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network:update',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call PUT /share-networks/{share_network_id}.'),
        operations=[
            {'method': 'PUT',
             'path': '/share-networks/{share_network_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network:delete',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call DELETE /share-networks/{share_network_id}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/share-networks/{share_network_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network:add_security_service',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /share-networks/{share_network_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-networks/{share_network_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network:add_security_service_check',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /share-networks/{share_network_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-networks/{share_network_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network:remove_security_service',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /share-networks/{share_network_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-networks/{share_network_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network:update_security_service',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /share-networks/{share_network_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-networks/{share_network_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network:update_security_service_check',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /share-networks/{share_network_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-networks/{share_network_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network:reset_status',
        check_str='rule:context_is_admin',
        description=('Who may call POST /share-networks/{share_network_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-networks/{share_network_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network:get_all_share_networks',
        check_str='rule:context_is_admin',
        description=('Who may call GET /share-networks?all_tenants=1; GET /share-'
                     'networks/detail?all_tenants=1.'),
        operations=[
            {'method': 'GET',
             'path': '/share-networks?all_tenants=1'},
            {'method': 'GET',
             'path': '/share-networks/detail?all_tenants=1'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network:subnet_create_check',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /share-networks/{share_network_id}/action.'),
        operations=[
            {'method': 'POST',
             'path': '/share-networks/{share_network_id}/action'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network:show_network_details',
        check_str='rule:context_is_admin',
        description=('Who may call GET /share-networks/{share_network_id}; GET /share-'
                     'networks/detail; GET /share-'
                     'networks/{share_network_id}/subnets/{share_network_subnet_id}; GET '
                     '/share-networks/{share_network_id}/subnets.'),
        operations=[
            {'method': 'GET',
             'path': '/share-networks/{share_network_id}'},
            {'method': 'GET',
             'path': '/share-networks/detail'},
            {'method': 'GET',
             'path': '/share-networks/{share_network_id}/subnets/{share_network_subnet_id}'},
            {'method': 'GET',
             'path': '/share-networks/{share_network_id}/subnets'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network_subnet:create',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call POST /share-networks/{share_network_id}/subnets.'),
        operations=[
            {'method': 'POST',
             'path': '/share-networks/{share_network_id}/subnets'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network_subnet:delete',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call DELETE /share-'
                     'networks/{share_network_id}/subnets/{share_network_subnet_id}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/share-networks/{share_network_id}/subnets/{share_network_subnet_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network_subnet:show',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-'
                     'networks/{share_network_id}/subnets/{share_network_subnet_id}.'),
        operations=[
            {'method': 'GET',
             'path': '/share-networks/{share_network_id}/subnets/{share_network_subnet_id}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network_subnet:index',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-networks/{share_network_id}/subnets.'),
        operations=[
            {'method': 'GET',
             'path': '/share-networks/{share_network_id}/subnets'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network_subnet:update_metadata',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call PUT /share-networks/{share_network_id}/subnets/{share_net'
                     'work_subnet_id}/metadata; POST /share-networks/{share_network_id}/subn'
                     'ets/{share_network_subnet_id}/metadata/{key}; POST /share-networks/{sh'
                     'are_network_id}/subnets/{share_network_subnet_id}/metadata.'),
        operations=[
            {'method': 'PUT',
             'path': '/share-networks/{share_network_id}/subnets/{share_network_subnet_id}/metadata'},
            {'method': 'POST',
             'path': '/share-networks/{share_network_id}/subnets/{share_network_subnet_id}/metadata/{key}'},
            {'method': 'POST',
             'path': '/share-networks/{share_network_id}/subnets/{share_network_subnet_id}/metadata'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network_subnet:delete_metadata',
        check_str='(rule:context_is_admin) or (rule:project-member)',
        description=('Who may call DELETE /share-networks/{share_network_id}/subnets/{share_'
                     'network_subnet_id}/metadata/{key}.'),
        operations=[
            {'method': 'DELETE',
             'path': '/share-networks/{share_network_id}/subnets/{share_network_subnet_id}/metadata/{key}'},
        ]),
    policy.DocumentedRuleDefault(
        name='share_network_subnet:get_metadata',
        check_str='(rule:context_is_admin) or (rule:project-reader)',
        description=('Who may call GET /share-networks/{share_network_id}/subnets/{share_net'
                     'work_subnet_id}/metadata; GET /share-networks/{share_network_id}/subne'
                     'ts/{share_network_subnet_id}/metadata/{key}.'),
        operations=[
            {'method': 'GET',
             'path': '/share-networks/{share_network_id}/subnets/{share_network_subnet_id}/metadata'},
            {'method': 'GET',
             'path': '/share-networks/{share_network_id}/subnets/{share_network_subnet_id}/metadata/{key}'},
        ]),
]
