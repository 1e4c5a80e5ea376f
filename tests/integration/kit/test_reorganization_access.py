"""Reorganization plans move every agency's nominations: only the Central Board previews and applies
them, and only it reads the per-nomination report."""

from shared.contracts.tiers import Tier
from tests.helpers import auth

PLAN = "VN-2025-07-01"


async def test_a_province_admin_can_neither_preview_nor_apply_the_national_plan(tier_http):
    client, _ = await tier_http(Tier.PROVINCE)
    for action in ("apply", "dry-run"):
        r = await client.post(f"/reorganizations/{PLAN}/{action}", headers=auth("P91", "admin"))
        assert r.status_code == 403, r.text
        assert "only the Central Emulation and Commendation Board (TW-BTDKT)" in r.json()["detail"]


async def test_only_the_central_board_reads_the_report(tier_http):
    client, _ = await tier_http(Tier.CENTRAL)
    refused = await client.get(f"/reorganizations/{PLAN}/outcomes", headers=auth("TW-CTN", "chair"))
    assert refused.status_code == 403, refused.text
    board = await client.get(f"/reorganizations/{PLAN}/outcomes", headers=auth("TW-BTDKT", "auditor"))
    assert board.status_code == 200 and board.json() == [], board.text
