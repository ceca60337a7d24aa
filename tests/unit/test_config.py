"""Unknown or contradictory configuration stops Abaca at start, naming the culprit.

Each bad config is checked twice: in process, through ``abaca.conf.load`` (and
``share.backend.build`` for what only the composition of a backend can tell), and as
``abaca all-in-one --config-file bad.conf``, which must exit non-zero within seconds
with a one-line message on stderr, having started nothing.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from abaca import conf as confmod
from abaca.common.errors import ConfigError
from abaca.share import backend as backend_mod

ABACA = Path(sys.executable).parent / "abaca"
CLI_LIMIT = 60.0  # seconds each command may take to give up
CLI_AT_ONCE = 4  # commands run side by side (CI has 2 cores)
DUMMY = {"share_driver": "dummy", "driver_handles_share_servers": "false"}

Sections = Mapping[str, Mapping[str, str]]

LAZY_VALUES = ("oslo.config checks a value only when it is first read, and "
               "abaca.conf.check reads none of them: src/abaca/conf/__init__.py check() "
               "should read every registered option and turn cfg.ConfigFileValueError "
               "into a ConfigError naming the group and key")
REQUIRED_NOT_CHECKED = ("oslo.config enforces required=True only while parsing, before "
                        "register_backends adds the backend options; reading a missing "
                        "required option then gives None instead of RequiredOptError: "
                        "src/abaca/conf/__init__.py register_backends() should test "
                        "share_driver and driver_handles_share_servers for None")


@dataclass(frozen=True)
class Case:
    id: str
    sections: Sections
    #: what the message must contain: the offending group and/or key
    names: tuple[str, ...]
    #: "load" if abaca.conf.load refuses it; "build" if only share.backend.build can
    stage: str = "load"
    known_gap: str | None = None
    #: further text the message must contain (the file, the value)
    extra: tuple[str, ...] = field(default=())


CASES = [
    Case("unknown-group", {"bogus": {"x": "1"}}, ("[bogus]",), extra=("abaca.conf",)),
    Case("unknown-key-in-default", {"DEFAULT": {"bogus_key": "1"}},
         ("[DEFAULT]", "bogus_key"), extra=("abaca.conf",)),
    Case("unknown-key-in-backend",
         {"DEFAULT": {"enabled_share_backends": "b1"}, "b1": {**DUMMY, "bogus_key": "1"}},
         ("[b1]", "bogus_key"), extra=("abaca.conf",)),
    Case("enabled-backend-without-group", {"DEFAULT": {"enabled_share_backends": "b1"}},
         ("[b1]", "share_driver")),
    Case("backend-without-dhss",
         {"DEFAULT": {"enabled_share_backends": "b1"}, "b1": {"share_driver": "dummy"}},
         ("[b1]", "driver_handles_share_servers")),
    Case("unknown-share-driver",
         {"DEFAULT": {"enabled_share_backends": "b1"},
          "b1": {**DUMMY, "share_driver": "nosuch"}},
         ("[b1]", "share_driver"), extra=("nosuch",)),
    Case("dhss-true-with-dummy",
         {"DEFAULT": {"enabled_share_backends": "b1"},
          "b1": {**DUMMY, "driver_handles_share_servers": "true"}},
         ("[b1]", "driver_handles_share_servers"), stage="build"),
    Case("backend-named-like-builtin-group",
         {"DEFAULT": {"enabled_share_backends": "api"}, "api": dict(DUMMY)},
         ("enabled_share_backends", "'api'"), extra=("built-in group",)),
    Case("duplicate-backend-names",
         {"DEFAULT": {"enabled_share_backends": "b1,b2,b1"}, "b1": dict(DUMMY),
          "b2": dict(DUMMY)},
         ("enabled_share_backends", "b1")),
    Case("unsupported-protocol", {"DEFAULT": {"enabled_share_protocols": "NFS,GLUSTERFS"}},
         ("enabled_share_protocols", "GLUSTERFS")),
    Case("no-protocol", {"DEFAULT": {"enabled_share_protocols": ""}},
         ("enabled_share_protocols",)),
    Case("port-out-of-range", {"api": {"port": "99999"}}, ("[api]", "port")),
    Case("port-not-a-number", {"api": {"port": "http"}}, ("[api]", "port")),
    Case("auth-strategy-not-a-choice", {"DEFAULT": {"auth_strategy": "kerberos"}},
         ("[DEFAULT]", "auth_strategy")),
    Case("dhss-not-a-boolean",
         {"DEFAULT": {"enabled_share_backends": "b1"},
          "b1": {**DUMMY, "driver_handles_share_servers": "maybe"}},
         ("[b1]", "driver_handles_share_servers")),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(directory: Path, sections: Sections) -> Path:
    """A config under ``directory``: ``sections`` over a base that starts nothing real."""
    directory.mkdir(parents=True, exist_ok=True)
    merged: dict[str, dict[str, str]] = {
        # In-process bus and a port of its own: a config that wrongly passes starts a
        # harmless service the test then stops.
        "DEFAULT": {"state_path": str(directory / "state"), "transport_url": "fake://"},
        "api": {"port": str(free_port())},
    }
    for group, values in sections.items():
        merged.setdefault(group, {}).update(values)
    lines: list[str] = []
    for group, values in merged.items():
        lines.append(f"[{group}]")
        lines.extend(f"{key} = {value}" for key, value in values.items())
        lines.append("")
    path = directory / "abaca.conf"
    path.write_text("\n".join(lines))
    return path


def start_checks(path: Path) -> None:
    """What a start checks, in process: the config, then each backend's composition."""
    conf = confmod.load(["--config-file", str(path)])
    for name in conf.enabled_share_backends:
        backend_mod.build(conf, name)


def assert_names(message: str, case: Case) -> None:
    for text in (*case.names, *case.extra):
        assert text in message, f"{text!r} missing from: {message}"


def _params() -> Iterator[object]:
    for case in CASES:
        marks = [pytest.mark.xfail(strict=True, reason=case.known_gap)] \
            if case.known_gap else []
        yield pytest.param(case, id=case.id, marks=marks)


# in process ------------------------------------------------------------------------


def test_good_config_loads(tmp_path: Path) -> None:
    path = write_config(tmp_path, {
        "DEFAULT": {"enabled_share_backends": "alpha, beta", "debug": "true"},
        "api": {"listen": "127.0.0.2", "workers": "3"},
        "database": {"connection": "sqlite:///" + str(tmp_path / "x.sqlite")},
        "alpha": dict(DUMMY),
        "beta": {**DUMMY, "dummy_pools": "p1:10,p2:20", "share_backend_name": "fast",
                 "backend_availability_zone": "az2"},
        "oslo_messaging_rabbit": {"heartbeat_timeout_threshold": "30"},
    })
    conf = confmod.load(["--config-file", str(path)])
    assert conf.enabled_share_backends == ["alpha", "beta"]
    assert conf.api.listen == "127.0.0.2"
    assert conf.api.workers == 3
    assert conf.debug is True
    assert conf.beta.dummy_pools == ["p1:10", "p2:20"]
    assert conf.alpha.driver_handles_share_servers is False
    beta = backend_mod.build(conf, "beta")
    assert (beta.config.share_backend_name, beta.config.availability_zone) == ("fast", "az2")


def test_defaults(tmp_path: Path) -> None:
    path = tmp_path / "abaca.conf"
    path.write_text(f"[DEFAULT]\nstate_path = {tmp_path / 'state'}\n")
    conf = confmod.load(["--config-file", str(path)])
    assert (tmp_path / "state").is_dir()  # SQLite lives there by default
    assert conf.api.port == 8786
    assert conf.enabled_share_backends == []
    assert sorted(conf.enabled_share_protocols) == ["CIFS", "NFS"]


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nowhere\.conf"):
        confmod.load(["--config-file", str(tmp_path / "nowhere.conf")])


@pytest.mark.parametrize("case", _params())
def test_bad_config_is_refused_in_process(case: Case, tmp_path: Path) -> None:
    path = write_config(tmp_path, case.sections)
    if case.stage == "build":
        confmod.load(["--config-file", str(path)])  # the config alone is fine
        with pytest.raises(ConfigError) as info:
            start_checks(path)
    else:
        with pytest.raises(ConfigError) as info:
            confmod.load(["--config-file", str(path)])
    assert_names(info.value.message, case)


# as a command ----------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    returncode: int | None  # None: still running at the limit, or it started serving
    stderr: str
    seconds: float


@pytest.fixture(scope="module")
def cli_outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    """Run ``abaca all-in-one`` on every bad config, a few side by side; each has
    CLI_LIMIT seconds of its own, so a loaded machine slows the batch, not the verdict."""
    base = tmp_path_factory.mktemp("cli")
    waiting = list(CASES)
    running: dict[str, tuple[subprocess.Popen[bytes], Path, float]] = {}
    outcomes: dict[str, Outcome] = {}
    try:
        while waiting or running:
            while waiting and len(running) < CLI_AT_ONCE:
                case = waiting.pop(0)
                path = write_config(base / case.id, case.sections)
                err = path.with_suffix(".stderr")
                with err.open("wb") as handle:
                    proc = subprocess.Popen(
                        [str(ABACA), "all-in-one", "--config-file", str(path)],
                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=handle,
                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
                running[case.id] = (proc, err, time.monotonic())
            for case_id, (proc, err, started) in list(running.items()):
                code = proc.poll()
                text = err.read_text(errors="replace")
                late = time.monotonic() - started > CLI_LIMIT
                if code is None and "serving http" not in text and not late:
                    continue
                outcomes[case_id] = Outcome(code, text, time.monotonic() - started)
                if code is None:  # it started or hangs: stop it, the test will say why
                    _stop(proc)
                del running[case_id]
            time.sleep(0.1)
    finally:
        for case_id, (proc, err, started) in running.items():
            _stop(proc)
            outcomes[case_id] = Outcome(None, err.read_text(errors="replace"),
                                        time.monotonic() - started)
    return outcomes


def _stop(proc: subprocess.Popen[bytes]) -> None:
    # Only a process that wrongly started or hangs gets here; its state is a temporary directory,
    # so no graceful stop is owed and none is waited for.
    proc.kill()
    proc.wait()


@pytest.mark.parametrize("case", _params())
def test_bad_config_stops_the_command(case: Case, cli_outcomes: dict[str, Outcome]) -> None:
    outcome = cli_outcomes[case.id]
    assert "serving http" not in outcome.stderr, "it started serving"
    assert outcome.returncode is not None, f"still running after {outcome.seconds:.0f} s"
    assert outcome.returncode != 0
    assert "Traceback" not in outcome.stderr, outcome.stderr
    assert "started on" not in outcome.stderr, "a service started"
    last = outcome.stderr.strip().splitlines()[-1]
    assert last.startswith("abaca: configuration error: "), outcome.stderr
    assert_names(last, case)


def test_unknown_command_prints_usage() -> None:
    proc = subprocess.run([str(ABACA), "no-such-command"], capture_output=True, text=True,
                          timeout=30, check=False)
    assert proc.returncode == 2
    assert "all-in-one" in proc.stderr


def test_an_unreachable_database_stops_all_in_one_with_a_clear_message(
        tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    config = tmp_path / "abaca.conf"
    config.write_text(textwrap.dedent(f"""\
        [DEFAULT]
        state_path = {tmp_path}
        enabled_share_backends = alpha
        [api]
        port = {free_port()}
        [database]
        connection = postgresql+psycopg://nobody@127.0.0.1:{port}/nothing
        [alpha]
        share_driver = dummy
        driver_handles_share_servers = false
        """))
    proc = subprocess.run([str(ABACA), "all-in-one", "--config-file", str(config)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr, proc.stderr
    assert "abaca: cannot use the database:" in proc.stderr
    assert "serving http" not in proc.stderr
