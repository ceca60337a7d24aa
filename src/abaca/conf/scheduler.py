"""Options of the [scheduler] group."""

from oslo_config import cfg

GROUP = "scheduler"

OPTS = [
    cfg.ListOpt("default_filters",
                default=["OnlyHostFilter", "AvailabilityZoneFilter", "CapacityFilter",
                         "CapabilitiesFilter", "DriverFilter", "ShareReplicationFilter",
                         "CreateFromSnapshotFilter", "AffinityFilter", "AntiAffinityFilter"],
                help="Filters a pool must pass, by plugin name (entry point group "
                     "abaca.scheduler.filters), in the order they run."),
    cfg.ListOpt("default_weighers",
                default=["CapacityWeigher", "GoodnessWeigher", "HostAffinityWeigher"],
                help="Weighers that order the pools that passed (abaca.scheduler.weighers); "
                     "PoolWeigher is available too."),
    cfg.ListOpt("default_share_group_filters",
                default=["AvailabilityZoneFilter", "ConsistentSnapshotFilter"],
                help="Filters a pool must pass to hold a new share group "
                     "(abaca.scheduler.filters); the pool must also pass default_filters "
                     "for each of the group's share types."),
    cfg.ListOpt("default_extend_filters", default=["CapacityFilter", "DriverFilter"],
                help="Filters the pool of a share must pass for the share to be extended "
                     "in place (abaca.scheduler.filters)."),
    cfg.FloatOpt("capacity_weight_multiplier", default=1.0,
                 help="Multiplier of CapacityWeigher; negative stacks shares on the fullest pool."),
    cfg.FloatOpt("pool_weight_multiplier", default=1.0,
                 help="Multiplier of PoolWeigher; negative avoids pools that already have "
                      "a share server for the request."),
    cfg.IntOpt("max_candidates", default=3, min=1,
               help="How many ordered candidate pools a create request carries; the share "
                    "service tries them in turn until one succeeds."),
]


def register(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(OPTS, group=GROUP)
