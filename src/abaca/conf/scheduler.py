"""Options of the [scheduler] group."""

from oslo_config import cfg

GROUP = "scheduler"

OPTS = [
    cfg.ListOpt("default_filters",
                default=["AvailabilityZoneFilter", "CapacityFilter", "CapabilitiesFilter"],
                help="Filters a pool must pass, by plugin name (entry point group "
                     "abaca.scheduler.filters)."),
    cfg.ListOpt("default_weighers", default=["CapacityWeigher"],
                help="Weighers that order the pools that passed (abaca.scheduler.weighers)."),
    cfg.FloatOpt("capacity_weight_multiplier", default=1.0,
                 help="Multiplier of CapacityWeigher; negative stacks shares on the fullest pool."),
    cfg.IntOpt("max_candidates", default=3, min=1,
               help="How many ordered candidate pools a create request carries; the share "
                    "service tries them in turn until one succeeds."),
]


def register(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(OPTS, group=GROUP)
