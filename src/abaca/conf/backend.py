"""Options of one share backend group (named in [DEFAULT] enabled_share_backends).

Each backend group holds these common options plus the options its storage driver
declares (StorageDriver.options), registered in the same group.
"""

from oslo_config import cfg

OPTS = [
    cfg.StrOpt("share_driver", required=True,
               help="Short name of the storage driver (entry point group "
                    "abaca.storage_drivers), e.g. dummy."),
    cfg.BoolOpt("driver_handles_share_servers", required=True,
                help="Whether this backend creates share servers (DHSS=True) or serves "
                     "from pre-configured addresses (DHSS=False)."),
    cfg.StrOpt("compute_helper", default="noop",
               help="Short name of the compute helper that supplies share servers."),
    cfg.StrOpt("network_helper", default="noop",
               help="Short name of the network helper that allocates share server addresses."),
    cfg.BoolOpt("automatic_share_server_cleanup", default=True,
                help="Delete a share server of this backend automatically once it has "
                     "had no share for unused_share_server_cleanup_interval minutes "
                     "(DHSS=True)."),
    cfg.IntOpt("unused_share_server_cleanup_interval", default=10, min=0, max=720,
               help="Minutes a share server stays without shares before the automatic "
                    "cleanup deletes it; checked every periodic_interval. 0: at the "
                    "next check."),
    cfg.StrOpt("share_backend_name",
               help="Value matched by the share_backend_name extra spec; defaults to the "
                    "group name."),
    cfg.StrOpt("backend_availability_zone",
               help="Availability zone of this backend; defaults to "
                    "[DEFAULT] storage_availability_zone."),
    cfg.IntOpt("reserved_share_percentage", default=0, min=0, max=100,
               help="Percentage of each pool kept free of new shares."),
    cfg.IntOpt("reserved_share_from_snapshot_percentage", default=0, min=0, max=100,
               help="Percentage of each pool kept free of shares created from snapshots "
                    "(usually lower than reserved_share_percentage, so that clones can "
                    "still be made when new shares no longer fit)."),
    cfg.IntOpt("reserved_share_extend_percentage", default=0, min=0, max=100,
               help="Percentage of each pool kept free of share extensions."),
    cfg.StrOpt("filter_function", max_length=1000,
               help="An expression a pool must make true to take a share (DriverFilter), "
                    "e.g. 'share.size <= 100'. Variables: share.*, host.*/stats.*, "
                    "capabilities.*, extra.*; evaluated safely, never by eval()."),
    cfg.StrOpt("goodness_function", max_length=1000,
               help="An expression from 0 to 100 rating a pool for a share "
                    "(GoodnessWeigher), e.g. '100 - capabilities.free_capacity_gb / 10'."),
]
