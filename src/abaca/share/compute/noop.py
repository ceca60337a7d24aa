"""No share servers: the backend serves from pre-configured addresses (DHSS=False)."""

from abaca.share.compute.base import ComputeHelper


class NoopComputeHelper(ComputeHelper):
    provides_share_servers = False
