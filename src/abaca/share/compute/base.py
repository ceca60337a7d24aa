"""ComputeHelper: supplies share servers (or none) to a backend.

A share server is where a DHSS=True backend serves one share network subnet's shares.
The compute helper makes the place (a network namespace, a VM) reachable at the
addresses the network helper chose; the storage driver then runs its servers there.
Every method may be called again after a crash at any point and must finish the job.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Sequence
from typing import ClassVar

from oslo_config import cfg

from abaca.common.errors import ConfigError
from abaca.share.driver_api import BackendConfig, ShareServer
from abaca.share.network.base import Allocation, NetworkInfo


class ComputeHelper(ABC):  # noqa: B024 - the noop helper supplies nothing
    #: whether this helper creates share servers (driver_handles_share_servers = True)
    provides_share_servers: ClassVar[bool] = False

    def __init__(self, config: BackendConfig) -> None:
        self.config = config

    @classmethod
    def options(cls) -> list[cfg.Opt]:
        """Options this helper reads from its backend's group."""
        return []

    def setup(self) -> None:  # noqa: B027 - optional hook
        """Prepare what every server needs (at share service start)."""

    def shutdown(self) -> None:  # noqa: B027 - optional hook
        """Release what setup and the servers took (graceful stop; rows stay)."""

    def create_share_server(self, server_id: str, network: NetworkInfo,
                            allocations: Sequence[Allocation]) -> ShareServer:
        """Make the server and return it as the driver sees it (also after a crash, and
        at start for a server the database says is active)."""
        raise ConfigError(f"[{self.config.name}] compute helper "
                          f"{type(self).__name__} supplies no share servers")

    def delete_share_server(self, server: ShareServer) -> None:  # noqa: B027
        """Remove the server; removing one that is gone succeeds."""

    def server_ids(self) -> set[str] | None:
        """Ids of the servers this helper finds on the host, for the reconciler's orphan
        check (a server no row owns is removed after a grace period); None when the
        helper cannot tell."""
        return None
