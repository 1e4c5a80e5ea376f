"""A retired agency's log closed, its final checkpoint cosigned, and referenced by its successors
(decision 0039), over a real broker: the district, unit and province services on real databases,
each with its own key, relay and `tdkt.audit` consumer, run the succession activities the
ReorganizationWorkflow runs (`tests/e2e/test_reorganization.py` drives them through the workflow).

Hòn Đất (D903) has records at the district service (and a review it returned, since resubmitted
and forwarded); Kiên Lương (D902) too, with a nomination still pending there (no successor
chosen). The 2025 plan closes D903's log and defers D902's; every later append for D903 is refused,
and its officers still log in; each of D903's six successor communes at the unit service
references D903's final cosigned checkpoint, which the offline check accepts and refuses once
tampered.
"""

import asyncio
import copy
import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import col, select
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment
from typer.testing import CliRunner

from deploy import cli_client
from deploy.cli import app as cli
from services.kit.audit.activities import SuccessionActivities
from services.kit.audit.witness import signer_of
from services.kit.nominations.models import Review
from shared.contracts.nomination import workflow_id_for
from shared.contracts.reorganization import ClosingArgs, RecordSuccessionArgs, ReferencePageArgs
from shared.contracts.tiers import Tier
from shared.platform.audit import LOG_CLOSED, LOG_SUCCEEDED, AgencyLogClosed, AuditRecord, append_audit
from shared.platform.db import transaction
from shared.platform.succession import verify_reference, verify_succession
from shared.text import fold
from tests.helpers import auth, eventually
from tests.integration.kit.test_witnessed_audit import Node, publish, run_all, start, stop_all, witnesses_of

PLAN, EFFECTIVE, BASIS = "VN-2025-07-01", "2025-07-01", "NĐ 129/2025/NĐ-CP Điều 59"
HON_DAT, KIEN_LUONG, BINH_SON = "D903", "D902", "C30823"
SUCCESSORS = ["C30760", "C30817", "C30823", "C30826", "C30835", "C30838"]


async def records_of(node: Node, agency: str, action: str | None = None) -> list[AuditRecord]:
    async with node.sessions() as session:
        statement = select(AuditRecord).where(AuditRecord.agency_code == agency)
        if action:
            statement = statement.where(AuditRecord.action == action)
        return list((await session.exec(statement.order_by(col(AuditRecord.seq)))).all())


async def write(node: Node, agency: str, action: str, nomination_id: str | None = None) -> None:
    async with transaction(node.sessions) as session:
        await append_audit(
            session,
            idempotency_key=str(uuid.uuid4()),
            at=datetime.now(UTC),
            agency_code=agency,
            actor=f"{agency}:chair",
            action=action,
            outcome="recorded",
            nomination_id=nomination_id,
        )


async def review_at(
    node: Node, agency: str, nomination_id: str, status: str = "pending", visit: int = 1, day: int = 1
) -> None:
    async with transaction(node.sessions) as session:
        session.add(
            Review(
                nomination_id=nomination_id,
                workflow_id=workflow_id_for(nomination_id),
                agency_code=agency,
                status=status,
                step=1,
                visit=visit,
                award_code="BANG_KHEN_TINH",
                nominee_name="Nguyễn Thị Lan",
                nominee_search=fold("Nguyễn Thị Lan"),
                proposer_agency="U91-0003",
                route=[{"tier": "unit", "agency_code": "U91-0003"}, {"tier": "district", "agency_code": agency}],
                opened_at=datetime(2025, 5, day, tzinfo=UTC),
            )
        )


def activities(node: Node) -> SuccessionActivities:
    return SuccessionActivities(
        node.sessions, node.relay.wake, node.settings.tier.value, lambda: signer_of(node.settings)
    )


async def test_the_retired_agency_log_ends_with_a_cosigned_checkpoint_its_successors_reference(
    tier_http, tmp_path, kafka_bootstrap, monkeypatch
):
    running: list = []
    # The district's business date is before the switch, so that Hòn Đất's chair can still act:
    # what refuses him below is the closed log, not the registry.
    district = await start(
        tier_http, tmp_path, kafka_bootstrap, Tier.DISTRICT, running, business_date=date(2025, 6, 20)
    )
    unit = await start(tier_http, tmp_path, kafka_bootstrap, Tier.UNIT, running)
    province = await start(tier_http, tmp_path, kafka_bootstrap, Tier.PROVINCE, running)
    parts = await run_all(running)
    env = ActivityEnvironment()
    try:
        for action in ("decision.forward", "nomination.transferred_out", "decision.confer"):
            await write(district, HON_DAT, action, "n-hon-dat")
        await write(district, KIEN_LUONG, "decision.forward", "n-kien-luong")
        await review_at(district, KIEN_LUONG, "n-kien-luong")
        # Returned by Hòn Đất, resubmitted, then forwarded: the returned row stays, but nothing is open.
        await review_at(district, HON_DAT, "n-returned", "returned")
        await review_at(district, HON_DAT, "n-returned", "forwarded", visit=2, day=10)
        await publish(district)  # an earlier checkpoint: the final one is the first to hold the closing record

        # Close: D903's log ends with its closing record, D902's waits for its pending nomination.
        closing = ClosingArgs(PLAN, EFFECTIVE, BASIS)
        closed = await env.run(activities(district).close_agency_logs, closing)
        assert closed["agencies"] == [HON_DAT] and closed["deferred_count"] == 1, closed
        assert "n-kien-luong is still pending" in closed["deferred"][KIEN_LUONG]
        [last] = (await records_of(district, HON_DAT))[-1:]
        assert (last.action, last.details["records"], last.details["successors"]) == (LOG_CLOSED, 3, SUCCESSORS)
        assert last.details["plan"] == PLAN and last.reason == BASIS
        assert await records_of(district, KIEN_LUONG, LOG_CLOSED) == []
        again = await env.run(activities(district).close_agency_logs, closing)  # a retried activity
        assert again["agencies"] == [HON_DAT] and len(await records_of(district, HON_DAT, LOG_CLOSED)) == 1

        # Nothing more for D903: an append is refused, an act answers 409, a login still works
        # (its officers read its records) and is logged outside the closed log.
        with pytest.raises(AgencyLogClosed, match=f"audit log of {HON_DAT} was closed by reorganization plan {PLAN}"):
            await write(district, HON_DAT, "decision.forward")
        refused = await district.client.post(
            "/delegations",
            headers=auth(HON_DAT, "chair"),
            json={"to_officer_id": f"{HON_DAT}:clerk", "from": "2025-06-20", "to": "2025-06-25", "reason": "Nghỉ phép"},
        )
        assert refused.status_code == 409 and "was closed by reorganization plan" in refused.json()["detail"]
        token = f"demo-{HON_DAT}-chair"
        login = await district.client.post("/auth/login", json={"username": f"{token}@{HON_DAT}", "password": token})
        assert login.status_code == 200, login.text
        assert (await records_of(district, HON_DAT))[-1].action == LOG_CLOSED
        logged = [r for r in await records_of(district, "-") if r.details.get("agency_code") == HON_DAT]
        assert [r.action for r in logged] == ["identity.login"] and logged[0].details["agency_log_closed"]
        await write(district, KIEN_LUONG, "decision.forward")  # D902's log is still open

        # The final checkpoint: signed, and cosigned by a witness, holding the closing record.
        async def sign_until_cosigned() -> None:
            while True:
                await publish(district)
                await asyncio.sleep(0.5)

        signing = asyncio.create_task(sign_until_cosigned())
        try:
            page = await env.run(activities(district).final_references, ReferencePageArgs(PLAN, EFFECTIVE))
        finally:
            signing.cancel()
        [reference] = page
        assert reference.agency == HON_DAT and reference.successors == [{"code": c, "tier": "unit"} for c in SUCCESSORS]
        final = verify_reference(reference.reference, agency=HON_DAT, trusted={"tdkt/district": district_key(district)})
        assert final.record["seq"] == last.seq and final.size >= last.seq and final.witnesses

        # Each successor's service references it, once; a tampered reference is refused, nothing written.
        forged = copy.deepcopy(reference)
        forged.reference["checkpoint"]["root"] = "ab" * 32
        with pytest.raises(ApplicationError, match="does not verify here") as refusal:
            await env.run(activities(unit).record_successions, RecordSuccessionArgs(PLAN, BASIS, [forged]))
        assert refusal.value.non_retryable
        recorded = RecordSuccessionArgs(PLAN, BASIS, [reference])
        assert await env.run(activities(province).record_successions, recorded) == 0  # none hosted there
        assert await env.run(activities(unit).record_successions, recorded) == len(SUCCESSORS)
        assert await env.run(activities(unit).record_successions, recorded) == 0
        [succeeded] = await records_of(unit, BINH_SON, LOG_SUCCEEDED)
        assert succeeded.details["predecessor"] == HON_DAT and succeeded.details["reference"] == reference.reference

        # Read and checked offline: D903's closed log at the district, Bình Sơn's reference at the unit.
        signed = await publish(unit)
        assert signed is not None
        await eventually(lambda: witnesses_of(unit, signed.size), what="the unit's log cosigned")
        await check_offline(district, unit, tmp_path, monkeypatch)
    finally:
        await stop_all(parts)


def district_key(node: Node) -> str:
    return signer_of(node.settings).public_key


async def check_offline(district: Node, unit: Node, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    async def cosigned_answer(node: Node, path: str, headers: dict) -> dict:
        async def answered():  # type: ignore[no-untyped-def]
            r = await node.client.get(path, headers=headers)
            assert r.status_code in (200, 409), r.text
            return r if r.status_code == 200 else None

        return (await eventually(answered, what=f"{path} anchored in a cosigned checkpoint")).json()

    closed = await cosigned_answer(district, f"/audit/agencies/{HON_DAT}/succession", auth(HON_DAT, "auditor"))
    assert closed["closed"]["record"]["action"] == LOG_CLOSED and closed["succeeded"] == []
    at_unit = await cosigned_answer(unit, f"/audit/agencies/{BINH_SON}/succession", auth(BINH_SON, "chair"))
    assert verify_succession(at_unit).succeeded[0][1].record["agency_code"] == HON_DAT
    nothing = await unit.client.get("/audit/agencies/U91-0001/succession", headers=auth(BINH_SON, "chair"))
    assert nothing.status_code == 404
    assert (
        await unit.client.get(f"/audit/agencies/{BINH_SON}/succession", headers=auth(BINH_SON, "clerk"))
    ).status_code == 403

    # `tdkt audit succession` gathers both services' answers into one file; `verify` checks it.
    answers = {"demo-D903-auditor": closed, "demo-C30823-chair": {**at_unit, "agency": HON_DAT, "succeeded": []}}
    monkeypatch.setattr(cli_client.Officer, "call", lambda officer, method, path: answers[officer.token])
    path = tmp_path / "d903.json"
    command = ["--token", "demo-D903-auditor", "audit", "succession", HON_DAT, "-o", str(path)]
    gathered = CliRunner().invoke(cli, [*command, "--also-token", "demo-C30823-chair"])
    assert gathered.exit_code == 0, gathered.output
    trust = ["--trust", f"tdkt/district={district_key(district)}"]
    ok = CliRunner().invoke(cli, ["audit", "verify", str(path), *trust])
    assert ok.exit_code == 0 and "log closed at tdkt/district by plan VN-2025-07-01 after 3 record(s)" in ok.output
    path = tmp_path / "c30823.json"
    path.write_text(json.dumps(at_unit), encoding="utf-8")
    ok = CliRunner().invoke(cli, ["audit", "verify", str(path)])
    assert ok.exit_code == 0 and f"{BINH_SON} succeeds {HON_DAT}" in ok.output, ok.output
    # Tampered: another root, a wrong proof, no cosignature; each refused, saying so.
    for change, why in (
        (lambda a: a["checkpoint"].update(root="ab" * 32), "signature is wrong"),
        (lambda a: a["inclusion_proof"].reverse() or a["inclusion_proof"].append("cd" * 32), "not in the signed tree"),
        (lambda a: a.update(cosignatures=[]), "no cosignature"),
    ):
        changed = copy.deepcopy(closed)
        change(changed["closed"])
        path.write_text(json.dumps(changed), encoding="utf-8")
        bad = CliRunner().invoke(cli, ["audit", "verify", str(path)])
        assert bad.exit_code == 1 and "does NOT verify" in bad.output and why in bad.output, bad.output
