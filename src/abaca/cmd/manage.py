"""abaca-manage: database and service administration.

  abaca-manage [--config-file F] db sync       create/upgrade the schema (+ default type)
  abaca-manage [--config-file F] db version    the schema revision in the database
  abaca-manage [--config-file F] service list  services with their state
  abaca-manage [--config-file F] reconcile list      resources in transitional states
  abaca-manage [--config-file F] reconcile history   what the reconcilers did to them
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from oslo_config import cfg

from abaca import conf as confmod
from abaca.cmd.common import fail
from abaca.common.errors import ConfigError
from abaca.conf import logging as log_conf
from abaca.db import migrate
from abaca.db import session as db_session
from abaca.db.repositories import services as services_repo
from abaca.services import share_types
from abaca.share.reconcile import records as reconcile_records


def _add_commands(subparsers: object) -> None:
    db = subparsers.add_parser("db")  # type: ignore[attr-defined]
    db_sub = db.add_subparsers(dest="action", required=True)
    db_sub.add_parser("sync")
    db_sub.add_parser("version")
    svc = subparsers.add_parser("service")  # type: ignore[attr-defined]
    svc_sub = svc.add_subparsers(dest="action", required=True)
    svc_sub.add_parser("list")
    rec = subparsers.add_parser("reconcile")  # type: ignore[attr-defined]
    rec_sub = rec.add_subparsers(dest="action", required=True)
    rec_sub.add_parser("list")
    hist = rec_sub.add_parser("history")
    hist.add_argument("--resource", default=None, help="only this resource id")
    hist.add_argument("--limit", type=int, default=100)


def main(argv: Sequence[str] | None = None) -> None:
    conf = confmod.new_conf()
    conf.register_cli_opt(cfg.SubCommandOpt("category", handler=_add_commands))
    try:
        conf(list(sys.argv[1:] if argv is None else argv), project="abaca",
             prog="abaca-manage")
        confmod.check(conf, with_backends=False)
    except (cfg.Error, ConfigError) as exc:
        fail(f"configuration error: {exc}")
    log_conf.setup(conf, "abaca-manage")
    db = db_session.from_conf(conf)
    category, action = conf.category.name, conf.category.action
    if (category, action) == ("db", "sync"):
        migrate.sync(db)
        with db.write() as session:
            share_types.ensure_default(session, conf)
        print(f"database at revision {migrate.current(db)}")
    elif (category, action) == ("db", "version"):
        print(migrate.current(db) or "none")
    elif (category, action) == ("service", "list"):
        with db.read() as session:
            rows = services_repo.list_services(session)
            print(f"{'binary':<16} {'host':<40} {'zone':<12} {'status':<9} state")
            for s in rows:
                state = "up" if services_repo.is_up(s, conf.service_down_time) else "down"
                status = "disabled" if s.disabled else "enabled"
                zone = s.availability_zone.name if s.availability_zone else "-"
                print(f"{s.binary:<16} {s.host:<40} {zone:<12} {status:<9} {state}")
    elif category == "reconcile":
        _reconcile(conf, db, action)
    db.dispose()


def _reconcile(conf: cfg.ConfigOpts, db: db_session.Database, action: str) -> None:
    with db.read() as session:
        if action == "list":
            print(f"{'type':<12} {'id':<36} {'status':<24} {'age(s)':>8}  host")
            for item in reconcile_records.in_transit(session):
                print(f"{item.resource_type:<12} {item.resource_id:<36} {item.status:<24} "
                      f"{item.age:>8.0f}  {item.host}")
            return
        print(f"{'when':<19} {'host':<28} {'type':<12} {'id':<36} {'action':<15} "
              f"{'from':<18} {'to':<18} detail")
        for row in reconcile_records.history(session, conf.category.limit,
                                             conf.category.resource):
            print(f"{row.created_at:%Y-%m-%d %H:%M:%S} {row.host:<28} "
                  f"{row.resource_type:<12} {row.resource_id:<36} {row.action:<15} "
                  f"{row.from_status or '-':<18} {row.to_status or '-':<18} "
                  f"{row.detail or ''}")
