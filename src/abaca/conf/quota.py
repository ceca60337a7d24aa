"""Options of the [quota] group: default per-project limits (-1 is unlimited)."""

from oslo_config import cfg

GROUP = "quota"

OPTS = [
    cfg.IntOpt("shares", default=50, min=-1, help="Shares per project."),
    cfg.IntOpt("gigabytes", default=1000, min=-1, help="Gigabytes of shares per project."),
    cfg.IntOpt("snapshots", default=50, min=-1, help="Snapshots per project."),
    cfg.IntOpt("snapshot_gigabytes", default=1000, min=-1,
               help="Gigabytes of snapshots per project."),
    cfg.IntOpt("share_networks", default=10, min=-1, help="Share networks per project."),
]


def register(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(OPTS, group=GROUP)
