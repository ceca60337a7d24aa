"""The ``abaca`` command: ``abaca all-in-one``, ``abaca api``, ``abaca scheduler``, ..."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence


def _commands() -> dict[str, Callable[[Sequence[str]], None]]:
    from abaca.cmd import all_in_one, api, manage, scheduler, share

    return {"all-in-one": all_in_one.main, "api": api.main, "scheduler": scheduler.main,
            "share": share.main, "manage": manage.main}


USAGE = ("usage: abaca {all-in-one,api,scheduler,share,manage} [--config-file FILE] ...\n"
         "  all-in-one  API, scheduler and share services in one process (the default set-up)")


def main(argv: Sequence[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    commands = _commands()
    if not args or args[0] not in commands:
        print(USAGE, file=sys.stderr)
        sys.exit(0 if args and args[0] in ("-h", "--help") else 2)
    commands[args[0]](args[1:])
