"""The checked-in sample config is what the option definitions generate.

An option added, removed or reworded without regenerating the sample fails here.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GENERATOR_CONFIG = ROOT / "etc" / "oslo-config-generator" / "abaca.conf"
SAMPLE = ROOT / "etc" / "abaca.conf.sample"
REGENERATE = ".venv/bin/oslo-config-generator --config-file etc/oslo-config-generator/abaca.conf"


def test_sample_config_is_up_to_date(tmp_path: Path) -> None:
    fresh = tmp_path / "abaca.conf.sample"
    # A process of its own: option defaults are process-wide and other tests change some.
    subprocess.run([str(Path(sys.executable).parent / "oslo-config-generator"),
                    "--config-file", str(GENERATOR_CONFIG), "--output-file", str(fresh)],
                   cwd=ROOT, check=True, capture_output=True, timeout=120)
    assert fresh.read_text() == SAMPLE.read_text(), (
        f"etc/abaca.conf.sample is out of date; regenerate it from the repository root "
        f"with: {REGENERATE}")


def test_sample_documents_a_backend_group() -> None:
    text = SAMPLE.read_text()
    example = text.split("[backend_example]", 1)[1].split("\n[", 1)[0]
    for key in ("share_driver", "driver_handles_share_servers", "dummy_pools"):
        assert f"#{key} = " in example
    assert "enabled_share_backends" in example
