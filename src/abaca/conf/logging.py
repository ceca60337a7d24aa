"""Options of [DEFAULT] that steer logging, and the set-up that applies them."""

import logging
import sys

from oslo_config import cfg

GROUP = None

OPTS = [
    cfg.BoolOpt("debug", default=False, help="Log at DEBUG level."),
    cfg.StrOpt("log_file", help="Write the log to this file instead of standard error."),
]


def register(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(OPTS)


def setup(conf: cfg.ConfigOpts, name: str) -> None:
    handler: logging.Handler
    handler = logging.FileHandler(conf.log_file) if conf.log_file else logging.StreamHandler(
        sys.stderr)
    handler.setFormatter(logging.Formatter(
        f"%(asctime)s %(process)d %(levelname)s {name} %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if conf.debug else logging.INFO)
    for noisy in ("amqp", "kombu", "oslo_messaging", "stevedore", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
