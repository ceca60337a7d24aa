"""Mountable snapshots of the local backend: a snapshot served read-only, like a share.

A snapshot is exported under its own name (``share-snapshot-<id>``) by the frontend
that serves its share, from its read-only btrfs snapshot (or directory copy); every
rule is read-only whatever it asks. NFS exports go through a bind mount, as shares do
(see ``binds.py``), so ``LocalDriver._start_frontend`` binds snapshot names too.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from abaca.share.driver_api import AccessRule, ShareResult
from abaca.share.drivers.local.binds import BindMounts
from abaca.share.drivers.local.frontend import Frontend
from abaca.share.protocols.rules import IpRule, UserRule


def export(frontend: Frontend, binds: BindMounts | None, proto: str, name: str,
           source: Path, rules: Sequence[AccessRule]) -> dict[str, str]:
    """Serve ``source`` as ``name`` to exactly ``rules``, read-only; returns the rules
    that cannot apply (``{id: "error"}``)."""
    if proto == "NFS":
        assert frontend.nfs is not None
        path = str(binds.bind(source, name)) if binds is not None else str(source)
        frontend.nfs.export(frontend.export_ids.assign(name), path, f"/{name}",
                            [IpRule(r.access_to, "ro") for r in rules
                             if r.access_type == "ip"])
        return {r.id: "error" for r in rules if r.access_type != "ip"}
    assert frontend.smb is not None
    frontend.smb.share(name, str(source),
                       [IpRule(r.access_to, "ro") for r in rules if r.access_type == "ip"],
                       [UserRule(r.access_to, "ro") for r in rules
                        if r.access_type == "user"])
    return {r.id: "error" for r in rules if r.access_type not in ("ip", "user")}


def unexport(frontend: Frontend, binds: BindMounts | None, proto: str, name: str) -> None:
    if proto == "NFS" and frontend.nfs is not None:
        export_id = frontend.export_ids.get(name)
        if export_id is not None:
            frontend.nfs.unexport(export_id)
            frontend.export_ids.release(name)
        if binds is not None:
            binds.unbind(name)
    elif proto == "CIFS" and frontend.smb is not None:
        frontend.smb.unshare(name)


def locations(frontend: Frontend, proto: str, name: str) -> ShareResult:
    return frontend.locations(proto, name)
