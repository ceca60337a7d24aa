"""Options of the [DEFAULT] group: identity, paths, services and liveness."""

import socket

from oslo_config import cfg

OPTS = [
    cfg.StrOpt("host", default=socket.gethostname(), sample_default="<hostname>",
               help="Name of this node; share services register as host@backend."),
    cfg.StrOpt("state_path", default="/var/lib/abaca",
               help="Directory where the service keeps its files (database, exports)."),
    cfg.StrOpt("auth_strategy", default="noauth", choices=["keystone", "noauth", "noauthv2"],
               help="How API requests are authenticated. keystone: keystonemiddleware's "
                    "auth_token validates tokens against Keystone ([keystone_authtoken]) and "
                    "oslo.policy decides with the token's roles. noauth takes a token "
                    "'user:project' and treats every caller as an administrator (noauthv2: "
                    "the same, with 2.60's URLs without project id): for development only."),
    cfg.ListOpt("enabled_share_backends", default=[],
                help="Names of the config groups that define the share backends to run."),
    cfg.ListOpt("enabled_share_protocols", default=["NFS", "CIFS"],
                help="Share protocols the API accepts."),
    cfg.StrOpt("default_share_type", default="default",
               help="Share type used when a request names none. It is created "
                    "(driver_handles_share_servers=False) by 'abaca-manage db sync' if missing."),
    cfg.StrOpt("default_share_group_type",
               help="Share group type used when a share group request names none (by "
                    "name); without it such a request is refused."),
    cfg.StrOpt("storage_availability_zone", default="nova",
               help="Availability zone of backends that do not set backend_availability_zone."),
    cfg.IntOpt("service_down_time", default=60, min=1,
               help="Seconds without a heartbeat after which a service counts as down."),
    cfg.IntOpt("report_interval", default=10, min=1,
               help="Seconds between a service's heartbeats."),
    cfg.IntOpt("periodic_interval", default=60, min=1,
               help="Seconds between runs of periodic tasks (capability reports, ...)."),
    cfg.IntOpt("replica_state_update_interval", default=300, min=1,
               help="Seconds between the share services' checks of their share replicas' "
                    "replica_state (the driver brings them up to date and reports)."),
    cfg.IntOpt("periodic_fuzzy_delay", default=60, min=0,
               help="Largest random delay in seconds before the first periodic run, "
                    "so that services started together do not report together."),
    cfg.StrOpt("share_name_template", default="share-%s",
               help="Name of a share on its backend, from the share instance id."),
]

GROUP = None


def register(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(OPTS)
