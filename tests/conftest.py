"""Settings every test tier shares. Keep it small: fixtures live next to their tests."""

from __future__ import annotations

import os
import warnings

import pytest

# oslo.messaging imports eventlet (through oslo.service and futurist), which warns that
# it is deprecated on first import; warnings are errors in this suite, so import it
# once here with that one warning silenced.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=r"(?s).*Eventlet is deprecated")
    import oslo_messaging  # noqa: F401


@pytest.fixture
def needs_root() -> None:
    """Skip a test that must run as root (loop devices, namespaces, NFS-Ganesha)."""
    if os.geteuid() != 0:
        pytest.skip("needs root")


# One Keystone for the whole run (bootstrapping one takes ~20 s): the session fixture
# lives here, so every module that asks for ``keystone`` shares it.
from tests.fixtures.keystone import keystone  # noqa: E402, F401
