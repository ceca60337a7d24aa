"""Options of the [quota] group: default per-project limits (-1 is unlimited) and how
reservations and usage refreshes behave. The ``default`` quota class, set through
``/quota-class-sets/default``, overrides these defaults."""

from oslo_config import cfg

GROUP = "quota"

OPTS = [
    cfg.IntOpt("shares", default=50, min=-1, help="Shares per project."),
    cfg.IntOpt("gigabytes", default=1000, min=-1, help="Gigabytes of shares per project."),
    cfg.IntOpt("snapshots", default=50, min=-1, help="Snapshots per project."),
    cfg.IntOpt("snapshot_gigabytes", default=1000, min=-1,
               help="Gigabytes of snapshots per project."),
    cfg.IntOpt("share_networks", default=10, min=-1, help="Share networks per project."),
    cfg.IntOpt("share_groups", default=50, min=-1, help="Share groups per project."),
    cfg.IntOpt("share_group_snapshots", default=50, min=-1,
               help="Share group snapshots per project."),
    cfg.IntOpt("share_replicas", default=100, min=-1, help="Share replicas per project."),
    cfg.IntOpt("replica_gigabytes", default=1000, min=-1,
               help="Gigabytes of share replicas per project."),
    cfg.IntOpt("per_share_gigabytes", default=-1, min=-1,
               help="Largest size of one share, in gigabytes."),
    cfg.IntOpt("reservation_expire", default=86400, min=1,
               help="Seconds after which an uncommitted reservation is rolled back."),
    cfg.IntOpt("until_refresh", default=0, min=0,
               help="Recount a usage from the live rows after this many reservations "
                    "(0: only when the usage is missing or negative)."),
    cfg.IntOpt("max_age", default=0, min=0,
               help="Recount a usage from the live rows when it was last changed more "
                    "than this many seconds ago (0: never for age alone)."),
]


def register(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(OPTS, group=GROUP)
