"""Abaca: a shared file systems service compatible with the OpenStack Manila v2 API."""

__version__ = "0.1.0"
