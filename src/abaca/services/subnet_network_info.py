"""A share network subnet's own network (an Abaca extension to Manila's API).

Share network create (its default or zone subnet) and share network subnet create accept
``cidr``, ``gateway``, ``mtu``, ``segmentation_id``, ``network_type`` (flat or vlan) and
``ip_version``, and ``allowed_ip_ranges`` (a list of CIDRs, addresses and first-last
ranges inside the cidr, the grammar of ``standalone_network_plugin_allowed_ip_ranges``):
the standalone network helper then gives the subnet's share servers addresses from that
cidr (those ranges) instead of its configured pool. Only callers the
``share_network:set_network_info`` rule allows (admins by default) may set them (403);
the values are checked against each other with the config's rules
(``standalone.validate_subnet``), a contradiction is a 400 before anything is written.
Manila's clients never send these fields, so nothing changes for them.
"""

from __future__ import annotations

from typing import Any

from abaca import policy
from abaca.common.context import RequestContext
from abaca.common.errors import Invalid
from abaca.share.network.standalone import NETWORK_TYPES, validate_subnet

FIELDS = ("cidr", "gateway", "mtu", "segmentation_id", "network_type", "ip_version",
          "allowed_ip_ranges")
_MAX_ADDRESS = 64  # the columns' width
_MAX_RANGES = 16  # allowed_ip_ranges is stored comma-joined in 1024 characters


def _text(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > _MAX_ADDRESS:
        raise Invalid(f"{key} must be a non-empty string of up to {_MAX_ADDRESS} "
                      f"characters, not {value!r}.")
    return value.strip()


def _integer(body: dict[str, Any], key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise Invalid(f"{key} must be an integer, not {value!r}.")
    return value


def _ranges(body: dict[str, Any]) -> list[str]:
    value = body.get("allowed_ip_ranges")
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > _MAX_RANGES:
        raise Invalid(f"allowed_ip_ranges must be a list of up to {_MAX_RANGES} CIDRs, "
                      "addresses or first-last ranges.")
    entries = []
    for entry in value:
        if (not isinstance(entry, str) or not entry.strip() or len(entry) > 2 * _MAX_ADDRESS
                or "," in entry):
            raise Invalid("allowed_ip_ranges must hold CIDRs, addresses or first-last "
                          f"ranges, not {entry!r}.")
        entries.append(entry.strip())
    if len(",".join(entries)) > 1024:
        raise Invalid("allowed_ip_ranges is too long: at most 1024 characters in all.")
    return entries


def network_info(ctx: RequestContext, body: dict[str, Any],
                 target: dict[str, Any]) -> dict[str, Any]:
    """The subnet columns the body sets (empty when it sets none): policy first (403),
    then every value and their agreement (400)."""
    if all(body.get(k) is None for k in FIELDS):
        return {}
    policy.authorize(ctx, "share_network:set_network_info", target)
    cidr, gateway = _text(body, "cidr"), _text(body, "gateway")
    mtu, segmentation_id = _integer(body, "mtu"), _integer(body, "segmentation_id")
    ip_version = _integer(body, "ip_version")
    ranges = _ranges(body)
    network_type = body.get("network_type")
    if network_type is not None and network_type not in NETWORK_TYPES:
        raise Invalid(f"network_type must be one of {', '.join(NETWORK_TYPES)}, not "
                      f"{network_type!r}.")
    if ip_version is not None and ip_version not in (4, 6):
        raise Invalid(f"ip_version must be 4 or 6, not {ip_version!r}.")
    if mtu is not None and not 68 <= mtu <= 65535:
        raise Invalid(f"mtu must be between 68 and 65535, not {mtu}.")
    network = validate_subnet(cidr=cidr, gateway=gateway, mtu=mtu,
                              network_type=network_type, segmentation_id=segmentation_id,
                              ip_version=ip_version, allowed_ip_ranges=ranges)
    assert network is not None  # validate_subnet refuses any field without a cidr
    return {"cidr": network.cidr, "ip_version": network.ip_version,
            "gateway": network.gateway, "mtu": mtu, "network_type": network.network_type,
            "segmentation_id": network.segmentation_id,
            "allowed_ip_ranges": ",".join(ranges) or None}
