"""Options of the [database] group."""

from oslo_config import cfg

GROUP = "database"

OPTS = [
    cfg.StrOpt("connection", secret=True,
               help="SQLAlchemy URL of the database; empty means SQLite at "
                    "$state_path/abaca.sqlite. Examples: postgresql+psycopg://u:p@host/abaca, "
                    "mysql+pymysql://u:p@host/abaca"),
    cfg.IntOpt("pool_size", default=10, min=1, help="Connections kept open per process."),
    cfg.IntOpt("max_overflow", default=20, min=0,
               help="Connections allowed above pool_size under load."),
    cfg.IntOpt("sqlite_busy_timeout", default=30, min=1,
               help="Seconds a SQLite writer waits for another process's lock."),
]


def register(conf: cfg.ConfigOpts) -> None:
    conf.register_opts(OPTS, group=GROUP)
