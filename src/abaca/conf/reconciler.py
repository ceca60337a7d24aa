"""Options of the [reconciler] group: recovery after crashes and lost messages."""

from oslo_config import cfg

GROUP = "reconciler"

OPTS = [
    cfg.IntOpt("interval", default=60, min=1,
               help="Seconds between two passes of a share service's reconciler (it also "
                    "runs once at start, before the service takes messages)."),
    cfg.IntOpt("stale_after", default=120, min=1,
               help="Seconds a share, snapshot or access rule may stay in a transitional "
                    "state, unchanged and not worked on by this share service, before a "
                    "periodic pass finishes or fails it (its message was lost)."),
    cfg.IntOpt("request_timeout", default=600, min=1,
               help="Seconds after which the scheduler puts in error, with a user message, "
                    "a share still 'creating' that no share service took up (its message "
                    "was lost, or its share service is down)."),
    cfg.IntOpt("orphan_grace", default=3600, min=0,
               help="Seconds a backend object no database row owns (a share's data, a "
                    "snapshot, an export) must have been seen, and must have existed, "
                    "before the reconciler removes it."),
    cfg.IntOpt("workers", default=8, min=1,
               help="How many resources a reconciler pass works on at once."),
    cfg.BoolOpt("remove_orphans", default=True,
                help="Remove backend objects no row owns after orphan_grace (False: only "
                     "log and record them)."),
]


def register(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(OPTS, group=GROUP)
