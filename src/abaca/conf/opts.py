"""Option listing for oslo-config-generator (the sample config in etc/)."""

from oslo_config import cfg

from abaca.conf import api, backend, database, default, logging, quota, scheduler


def list_opts() -> list[tuple[str | None, list[cfg.Opt]]]:
    return [
        (None, default.OPTS + logging.OPTS),
        (api.GROUP, api.OPTS),
        (database.GROUP, database.OPTS),
        (scheduler.GROUP, scheduler.OPTS),
        (quota.GROUP, quota.OPTS),
        ("<backend>", backend.OPTS),
    ]
