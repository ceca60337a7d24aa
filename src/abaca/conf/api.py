"""Options of the [api] group: the HTTP listener and request limits."""

from oslo_config import cfg

GROUP = "api"

OPTS = [
    cfg.HostAddressOpt("listen", default="127.0.0.1",
                       help="Address the API binds to."),
    cfg.PortOpt("port", default=8786, help="Port the API listens on."),
    cfg.IntOpt("workers", default=2, min=1, max=64,
               help="API worker processes (abaca-api). all-in-one runs one process with threads."),
    cfg.IntOpt("threads", default=16, min=1, max=256,
               help="Request threads per API process."),
    cfg.IntOpt("max_limit", default=1000, min=1,
               help="The largest page a list request returns."),
    cfg.IntOpt("max_request_body_size", default=114688, min=1024,
               help="Largest accepted request body in bytes; larger is a 413."),
]


def register(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(OPTS, group=GROUP)
