"""Share types and extra specs through python-manilaclient."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from manilaclient.common.apiclient import exceptions as api_exc

from tests.fixtures import servers


def test_default_type_exists_and_is_used(mc: Any) -> None:
    default = mc.share_types.get("default")
    assert default.name == "default"
    assert default.extra_specs["driver_handles_share_servers"] == "False"
    share = servers.wait_for_status(mc, mc.shares.create("NFS", 1).id)
    assert share.share_type_name == "default"
    mc.shares.delete(share)


def test_type_crud_and_extra_specs(mc: Any) -> None:
    st = mc.share_types.create("crud", spec_driver_handles_share_servers=False,
                               extra_specs={"snapshot_support": "True"}, is_public=False)
    assert st.extra_specs == {"driver_handles_share_servers": "False",
                              "snapshot_support": "True"}
    st.set_keys({"tier": "gold"})
    assert mc.share_types.get(st.id).extra_specs["tier"] == "gold"
    st.unset_keys(["tier"])
    assert "tier" not in mc.share_types.get(st.id).get_keys()
    with pytest.raises(api_exc.Forbidden):
        st.unset_keys(["driver_handles_share_servers"])
    assert "crud" not in {t.name for t in mc.share_types.list(show_all=False)}
    assert "crud" in {t.name for t in mc.share_types.list(show_all=True)}
    with pytest.raises(api_exc.Conflict):
        mc.share_types.create("crud", spec_driver_handles_share_servers=False)
    mc.share_types.delete(st)
    with pytest.raises(api_exc.NotFound):
        mc.share_types.get(st.id)


def test_type_in_use_cannot_be_deleted(mc: Any) -> None:
    st = mc.share_types.create("busy", spec_driver_handles_share_servers=False)
    share = servers.wait_for_status(mc, mc.shares.create("NFS", 1, share_type="busy").id)
    with pytest.raises(api_exc.BadRequest):
        mc.share_types.delete(st)
    mc.shares.delete(share)


@pytest.mark.parametrize("specs", [
    {"snapshot_support": "perhaps"},
    {"bad\nkey": "x"},
    {"k": "v" * 300},
])
def test_bad_extra_specs_are_refused(endpoint: str, specs: dict[str, str]) -> None:
    body = {"share_type": {"name": "bad-specs", "extra_specs": {
        "driver_handles_share_servers": "false", **specs}}}
    resp = requests.post(f"{endpoint}/v2/types", json=body,
                         headers={"X-Auth-Token": "admin:demo"}, timeout=10)
    assert resp.status_code == 400 and "badRequest" in resp.json()
    names = [t["name"] for t in requests.get(
        f"{endpoint}/v2/types?is_public=all", headers={"X-Auth-Token": "admin:demo"},
        timeout=10).json()["share_types"]]
    assert "bad-specs" not in names


def test_type_without_dhss_is_refused(endpoint: str) -> None:
    resp = requests.post(f"{endpoint}/v2/types", json={"share_type": {"name": "no-dhss"}},
                         headers={"X-Auth-Token": "admin:demo"}, timeout=10)
    assert resp.status_code == 400
    assert "driver_handles_share_servers" in resp.json()["badRequest"]["message"]
