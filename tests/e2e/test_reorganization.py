"""The 2025 reorganization applied to a running system: nominations in flight in Kiên Giang move to
their successors (a new commune, or An Giang province), through HTTP and the workflows, and a
worker killed mid-batch transfers every nomination exactly once."""

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from temporalio.client import Client

from shared.contracts.tiers import Tier
from shared.platform.succession import verify_succession
from tests.conftest import fresh_namespace
from tests.e2e.conftest import RunningSystem, run_system
from tests.helpers import auth, decide, document, draft_and_submit, eventually, wait_pending

PLAN = "VN-2025-07-01"
# The name of the plan's recorded history: bump it when the workflow changes, and keep the old one.
PLAN_HISTORY = "apply_transfer_succession_deferred_v3"
SCHOOL, ENTERPRISE, HON_DAT, KIEN_GIANG, BINH_SON = "U91-0001", "U91-0003", "D903", "P91", "C30823"


@pytest.fixture(scope="module")
async def reorganized(tmp_path_factory, temporal_address, seeded_databases) -> AsyncIterator[RunningSystem]:  # type: ignore[no-untyped-def]
    async for running in run_system(
        tmp_path_factory.mktemp("reorg"), temporal_address, fresh_namespace(), "sqlite", seeded_databases
    ):
        yield running


PROPOSERS: dict[str, str] = {}


async def status_of(system: RunningSystem, nomination_id: str) -> dict:
    proposer = PROPOSERS.get(nomination_id, SCHOOL)
    r = await system[Tier.UNIT].get(f"/nominations/{nomination_id}/status", headers=auth(proposer, "clerk"))
    assert r.status_code == 200, r.text
    return r.json()


async def test_nominations_in_flight_reach_their_successors(reorganized):
    system = reorganized
    unit, district, province = system[Tier.UNIT], system[Tier.DISTRICT], system[Tier.PROVINCE]

    async def at_district(award: str, name: str, proposer: str = SCHOOL) -> str:
        nomination_id = (await draft_and_submit(unit, proposer, award, name))["nomination_id"]
        PROPOSERS[nomination_id] = proposer
        await wait_pending(unit, proposer, nomination_id)
        assert (await decide(unit, proposer, nomination_id, "forward")).status_code == 200
        await wait_pending(district, HON_DAT, nomination_id)
        return nomination_id

    # Before 2025-07-01: in flight at the unit, at Hòn Đất district, and at Kiên Giang province.
    at_unit = (await draft_and_submit(unit, SCHOOL, "CSTD_CO_SO", "Nguyễn Văn Một"))["nomination_id"]
    await wait_pending(unit, SCHOOL, at_unit)
    cstdcs_at_district = await at_district("CSTD_CO_SO", "Trần Thị Hai")
    order_at_district = await at_district("HCLD_HANG_BA", "Lê Văn Ba")
    ambiguous = await at_district("BANG_KHEN_TINH", "Phạm Thị Bốn", proposer=ENTERPRISE)
    at_province = await at_district("BANG_KHEN_TINH", "Hoàng Văn Năm")
    assert (await decide(district, HON_DAT, at_province, "forward")).status_code == 200
    conferred_before = await at_district("CSTD_CO_SO", "Đinh Thị Sáu")
    assert (await decide(district, HON_DAT, conferred_before, "confer", decision_no="9/QĐ-UBND")).status_code == 200
    await wait_pending(province, KIEN_GIANG, at_province)
    submitted_at = (await unit.get(f"/nominations/{cstdcs_at_district}", headers=auth(SCHOOL, "clerk"))).json()[
        "submitted_at"
    ]

    # Before the day: the dry run says where each nomination would go (HTTP, then the CLI's report).
    admin = auth("TW-BTDKT", "admin")
    central = system[Tier.CENTRAL]
    # The whole country's dry run answers in one request: under a busy machine's load it can take
    # longer than the clients' 30 s (the console follows its progress instead).
    preview = await central.post(f"/reorganizations/{PLAN}/dry-run", headers=admin, timeout=120)
    assert preview.status_code == 200, preview.text
    previewed = {row["nomination_id"]: (row["outcome"], row["to_agency"]) for row in preview.json()["nominations"]}
    assert previewed == {
        at_unit: ("would_reroute", SCHOOL),
        cstdcs_at_district: ("would_transfer", BINH_SON),
        order_at_district: ("would_transfer", KIEN_GIANG),
        ambiguous: ("would_transfer", KIEN_GIANG),
        at_province: ("would_stay", KIEN_GIANG),
    }
    assert any(a["code"] == ENTERPRISE for a in preview.json()["ambiguous"])
    # The dry run, as an officer sees it from the command line, with an HTML report.
    report_file = system.stack.config.data_dir / "plan.html"
    cli = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "deploy.cli",
            "--token",
            "demo-TW-BTDKT-admin",
            "reorganize",
            PLAN,
            "--report",
            str(report_file),
        ],
        env={**os.environ, "TDKT_CENTRAL_URL": system.stack.config.url(Tier.CENTRAL)},
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert cli.returncode == 0, cli.stderr
    assert "VN-2025-07-01" in cli.stdout and "ambiguous" in cli.stdout
    html = report_file.read_text(encoding="utf-8")
    assert "Trường hợp cần người quyết định" in html and cstdcs_at_district in html

    # The board's admin applies the plan ahead of time, in small batches: it waits for its day.
    r = await central.post(f"/reorganizations/{PLAN}/apply", headers=admin, params={"batch_size": 5, "concurrency": 1})
    assert r.status_code == 202 and r.json()["started"] is True, r.text
    assert (await central.get(f"/reorganizations/{PLAN}", headers=admin)).json()["phase"] == "waiting"
    assert (await status_of(system, cstdcs_at_district))["pending_agency"] == HON_DAT

    # 2025-07-01 arrives: the services restart on the new business date and tell the waiting plan.
    system.stack.advance_to("2025-07-01")
    r = await central.post(f"/reorganizations/{PLAN}/apply", headers=admin)
    assert r.status_code == 202 and r.json()["started"] is False, r.text

    # Kill the workflow worker as soon as the first transfer is under way, then restart it.
    watched = [at_unit, cstdcs_at_district, order_at_district, ambiguous, at_province]

    async def some_transfer_started():
        for nomination_id in watched:
            if any(h["action"] == "transfer" for h in (await status_of(system, nomination_id))["history"]):
                return True
        return False

    await eventually(some_transfer_started, within=60, what="a first transfer")
    system.stack.worker.kill()
    system.stack.restart_worker()

    async def done():
        r = await central.get(f"/reorganizations/{PLAN}", headers=admin)
        return r.json() if r.json().get("phase") == "done" else None

    report = await eventually(done, within=180, what="the plan to be applied")
    assert report["candidates"] == 5, report  # the conferred one is not in flight
    outcomes = {
        o["nomination_id"]: o for o in (await central.get(f"/reorganizations/{PLAN}/outcomes", headers=admin)).json()
    }
    assert {n: outcomes[n]["outcome"] for n in watched} == {
        at_unit: "rerouted",
        cstdcs_at_district: "transferred",
        order_at_district: "transferred",
        ambiguous: "transferred",
        at_province: "unchanged",
    }

    # At the unit: queued steps recomputed, Xã Bình Sơn now confers CSTĐCS (Decree 129 Art. 59).
    assert [s["agency_code"] for s in (await status_of(system, at_unit))["route"]] == [SCHOOL, BINH_SON]
    # At the district: CSTĐCS goes to the commune now managing the school; the order to the province.
    moved = await status_of(system, cstdcs_at_district)
    assert (
        moved["pending_agency"] == BINH_SON and outcomes[cstdcs_at_district]["rule"] == "district_abolished_to_commune"
    )
    assert [h["action"] for h in moved["history"]] == ["forward", "transfer"]  # history kept
    assert (await status_of(system, order_at_district))["pending_agency"] == KIEN_GIANG
    assert outcomes[order_at_district]["rule"] == "district_abolished_to_province"
    # At the province: Kiên Giang's code P91 is An Giang's now; it stays there.
    assert (await status_of(system, at_province))["pending_agency"] == KIEN_GIANG
    # The enterprise has no location on record: the plan lists it as ambiguous and, until a person
    # chooses its commune, the province takes its nomination (domain.md §9.4 case 2).
    assert (await status_of(system, ambiguous))["pending_agency"] == KIEN_GIANG
    assert report["applied"][0]["ambiguous"] >= 1

    # Exactly one transfer each, audited at both ends with the legal basis and the original dates.
    transferred_out = []
    for nomination_id in (cstdcs_at_district, order_at_district):
        transfers = [h for h in (await status_of(system, nomination_id))["history"] if h["action"] == "transfer"]
        assert len(transfers) == 1, transfers
        old = (await district.get(f"/nominations/{nomination_id}/history", headers=auth(HON_DAT, "chair"))).json()
        out = [a for a in old if a["action"] == "nomination.transferred_out"]
        assert len(out) == 1 and "129/2025" in out[0]["reason"], old
        transferred_out.append(out[0]["seq"])

    # Hòn Đất's log ends after its transfers with a closing record, in a checkpoint a witness
    # cosigned, which each of its six successor communes references (decision 0039).
    assert report["succession"]["district"]["agencies"] == [HON_DAT], report["succession"]
    assert (
        report["succession"]["district"]["referenced"] == 6 and "not_referenced" not in report["succession"]["district"]
    )
    closed = await district.get(f"/audit/agencies/{HON_DAT}/succession", headers=auth(HON_DAT, "auditor"))
    assert closed.status_code == 200, closed.text
    final = verify_succession(closed.content).closed
    assert final is not None and final.witnesses and final.record["details"]["plan"] == PLAN
    assert final.record["seq"] > max(transferred_out) and final.record["details"]["records"] >= 6

    async def referenced():
        r = await unit.get(f"/audit/agencies/{BINH_SON}/succession", headers=auth(BINH_SON, "chair"))
        assert r.status_code in (200, 409), r.text
        return r if r.status_code == 200 else None

    at_binh_son = await eventually(referenced, what="Bình Sơn's reference in a cosigned checkpoint")
    [(_, predecessor)] = verify_succession(at_binh_son.content).succeeded
    assert predecessor.record == final.record and predecessor.root == final.root
    # The same checked offline by the CLI, with the keys the services publish.
    keys = {
        c["origin"]: c["public_key"]
        for c in (await unit.get("/audit/checkpoints", headers=auth(SCHOOL, "auditor"))).json()
    }
    succession_file = system.stack.config.data_dir / "succession-C30823.json"
    succession_file.write_bytes(at_binh_son.content)
    verified = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "deploy.cli", "audit", "verify", str(succession_file)]
        + [f"--trust={origin}={key}" for origin, key in keys.items() if origin in ("tdkt/district", "tdkt/unit")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert verified.returncode == 0 and f"{BINH_SON} succeeds {HON_DAT}" in verified.stdout, verified.stderr
    arrived = (await unit.get(f"/nominations/{cstdcs_at_district}/history", headers=auth(BINH_SON, "chair"))).json()
    transferred_in = [a for a in arrived if a["action"] == "nomination.transferred_in"]
    assert len(transferred_in) == 1 and transferred_in[0]["details"]["from_agency"] == HON_DAT
    # The original submission (before 2025-07-01) travels with it, not the transfer's time.
    assert transferred_in[0]["details"]["submitted_at"][:10] == submitted_at[:10]
    assert transferred_in[0]["details"]["regime"] == "ND98"

    # The successor's chairman acts; the abolished district's officers no longer can.
    refused = await decide(district, HON_DAT, order_at_district, "forward")
    assert refused.status_code == 403 and "no longer exists" in refused.json()["detail"]
    await wait_pending(unit, BINH_SON, cstdcs_at_district)
    conferred = await decide(unit, BINH_SON, cstdcs_at_district, "confer", decision_no="12/QĐ-UBND")
    assert conferred.status_code == 200, conferred.text

    # Statistics: awards conferred by Hòn Đất (Kiên Giang) before and by Bình Sơn (An Giang) after
    # the switch both count under the province that now stands for them.
    async def both_registered():
        rows = (await central.get("/statistics/awards-by-province", headers=admin)).json()
        return rows if sum(r["awards"] for r in rows) == 2 else None

    rows = await eventually(both_registered, what="both conferrals in the central statistics")
    assert [(r["province"], r["year"], r["awards"], r["name"]) for r in rows] == [
        (KIEN_GIANG, 2025, 2, "Tỉnh An Giang")
    ]

    # No collective award for a unit the reorganization dissolved (TT 15/2025/TT-BNV).
    r = await province.post(
        "/nominations",
        headers=auth(KIEN_GIANG, "clerk"),
        json={
            "nominee_name": "Tập thể UBND huyện Hòn Đất",
            "nominee_kind": "collective",
            "nominee_id": HON_DAT,
            "award_code": "BANG_KHEN_TINH",
            "reason": "Hoàn thành xuất sắc nhiệm vụ",
        },
    )
    assert r.status_code == 201, r.text
    collective = r.json()["id"]
    assert (
        await province.post(f"/nominations/{collective}/documents", headers=auth(KIEN_GIANG, "clerk"), json=document())
    ).status_code == 201
    refused = await province.post(f"/nominations/{collective}/submit", headers=auth(KIEN_GIANG, "clerk"))
    assert refused.status_code == 422 and "15/2025/TT-BNV" in refused.json()["detail"], refused.text

    # Record this workflow's history (forward, transfer, confer) for the replay test, on request.
    if os.environ.get("TDKT_RECORD_HISTORIES"):
        client = await Client.connect(
            system.stack.config.temporal_address, namespace=system.stack.config.temporal_namespace
        )
        history = await client.get_workflow_handle(f"nomination-{cstdcs_at_district}").fetch_history()
        # Older recordings stay: they are what runs started by older code look like.
        target = Path(__file__).parents[1] / "replay" / "nomination_forward_transfer_confer_lifecycle_v1.json"
        target.write_text(history.to_json(), encoding="utf-8")
        # The plan's own run, as the code of the time ran it (tests/unit/workflows/test_replay.py).
        plan_history = await client.get_workflow_handle(f"reorganization-{PLAN}").fetch_history()
        target = Path(__file__).parents[1] / "replay" / f"reorganization_{PLAN_HISTORY}.json"
        target.write_text(plan_history.to_json(), encoding="utf-8")

    # Applying the same plan again is a no-op.
    again = await central.post(f"/reorganizations/{PLAN}/apply", headers=admin)
    assert again.status_code == 202 and again.json()["started"] is False
