"""Erasing a nominee's personal data through the API, over a real broker, at two services: the
school that manages the nominee and the district that conferred the award (decision 0040).

The values are gone from every row either service keeps and from their answers; every audit chain
still verifies, the next checkpoints extend the witnessed ones, the nomination's evidence bundle
still verifies offline; the wrong role is refused, an unknown nominee is not found, and a second
erasure changes nothing.
"""

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import inspect, text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from typer.testing import CliRunner

from deploy.cli import app as cli
from services.central.handlers import HANDLERS as CENTRAL_HANDLERS
from services.central.models import ConferredAward
from services.kit.audit.witness import audit_handlers, publish_checkpoint, signer_of
from services.kit.erasure.service import ERASED_KEYS
from services.kit.handlers import kit_handlers
from services.kit.nominations.activities import NominationActivities
from services.kit.nominations.models import Nomination
from services.kit.nominees.models import Nominee
from services.kit.statistics.models import AwardRecord
from shared.contracts.events import (
    EVENT_TYPES,
    AwardConferred,
    Envelope,
    Event,
    NomineePersonalErased,
    NomineeRegistered,
    envelope_for,
    parse_event,
)
from shared.contracts.nomination import (
    DecisionInput,
    NominationInput,
    OpenReviewArgs,
    RecordDecisionArgs,
    RecordSubmissionArgs,
    RouteStep,
)
from shared.contracts.tiers import Tier
from shared.platform.audit import AuditRecord, verify_chain
from shared.platform.checkpoints import AuditCosignature
from shared.platform.consumer import EventConsumer, merge_handlers
from shared.platform.db import transaction
from shared.platform.evidence import verify_bundle
from shared.platform.outbox import OutboxEvent, OutboxRelay
from shared.platform.personal import AuditPersonal
from shared.platform.settings import ServiceSettings
from tests.helpers import auth, eventually
from tests.integration.kit.test_witnessed_audit import run_all, stop_all

SCHOOL, DISTRICT = "U91-0001", "D903"
LAN = "CCCD:091000000777"
ERASE = {"basis": "subject_request", "reason": "Đơn đề nghị xóa dữ liệu cá nhân số 12/ĐN ngày 02/03/2026"}


@dataclass
class Node:
    settings: ServiceSettings
    client: httpx.AsyncClient
    sessions: async_sessionmaker[AsyncSession]
    relay: OutboxRelay


async def start(tier_http, tmp_path: Path, bootstrap: str, tier: Tier, running: list) -> Node:  # type: ignore[no-untyped-def]
    """One service as it runs: its database and HTTP app, outbox relay, and the consumer of every
    topic its handlers apply (the kit's and the audit witness's)."""
    key_file = str(tmp_path / f"{tier.value}.key")
    client, sessions = await tier_http(tier, audit_key_file=key_file)
    settings = ServiceSettings(tier=tier, audit_key_file=key_file, database_url="sqlite+aiosqlite://")
    handlers = merge_handlers(kit_handlers(), audit_handlers(settings))
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    consumer = AIOKafkaConsumer(
        *sorted({EVENT_TYPES[t].topic for t in handlers}),
        bootstrap_servers=bootstrap,
        group_id=f"e-{tier.value}-{uuid.uuid4()}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=50,
    )
    relay = OutboxRelay(sessions, producer, poll_ms=50)
    running.append((producer, consumer, relay, EventConsumer(consumer, producer, sessions, handlers, max_attempts=2)))
    return Node(settings, client, sessions, relay)


async def confer_at_the_district(school: Node, district: Node) -> str:
    """The school drafts through its API (the dossier takes the registered profile), then the
    submission, the district's review and its conferral are recorded as the workflow has them
    recorded, each by the activity on that tier's queue."""
    draft = {"nominee_name": "Lò Thị Lan", "nominee_id": LAN, "award_code": "CSTD_CO_SO", "reason": "Xuất sắc"}
    made = await school.client.post("/nominations", headers=auth(SCHOOL, "clerk"), json=draft)
    assert made.status_code == 201, made.text
    nid = made.json()["id"]
    async with school.sessions() as session:
        row = await session.get(Nomination, nid)
        assert row is not None and (row.nominee_sex, row.nominee_ethnicity) == ("nu", "02")
    nomination = NominationInput(
        nomination_id=nid, award_code="CSTD_CO_SO", nominee_name=row.nominee_name, proposer_agency=SCHOOL,
        submitted_by=f"{SCHOOL}:clerk", submitted_at=datetime.now(UTC).isoformat(), regime="ND98",
        route=[RouteStep("unit", SCHOOL, role="proposes"), RouteStep("district", DISTRICT, confers=True)],
        nominee_id=LAN, period_year=2025, nominee_position=row.nominee_position, nominee_sex=row.nominee_sex,
        nominee_ethnicity=row.nominee_ethnicity,
    )  # fmt: skip
    workflow = f"nomination-{nid}"
    await NominationActivities(school.sessions, on_commit=school.relay.wake, tier="unit").record_submission(
        RecordSubmissionArgs(nomination, workflow, f"submit:{nid}")
    )
    deciding = NominationActivities(district.sessions, on_commit=district.relay.wake, tier="district")
    await deciding.open_review(OpenReviewArgs(nomination, workflow, 1, 1, f"open:{nid}"))
    decision = DecisionInput(
        action="confer", agency_code=DISTRICT, tier="district", officer_id=f"{DISTRICT}:chair", officer_role="chair",
        decision_no="15/QĐ-UBND", decided_on="2026-02-20",
    )  # fmt: skip
    await deciding.record_decision(
        RecordDecisionArgs(nomination, workflow, 1, 1, decision, None, f"decide:{nid}", datetime.now(UTC).isoformat())
    )
    return nid


async def award_record(node: Node, nid: str) -> AwardRecord | None:
    async with node.sessions() as session:
        return await session.get(AwardRecord, nid)


async def replica(node: Node) -> Nominee | None:
    async with node.sessions() as session:
        return await session.get(Nominee, LAN)


async def witnessed(node: Node) -> int:
    """Sign a checkpoint of the node's log now and wait for the other service to cosign it."""
    async with transaction(node.sessions) as session:
        signed = await publish_checkpoint(session, signer=signer_of(node.settings), now=datetime.now(UTC))
    node.relay.wake()
    assert signed is not None

    async def cosigned() -> bool:
        async with node.sessions() as session:
            found = select(AuditCosignature).where(AuditCosignature.size == signed.size)
            return (await session.exec(found)).first() is not None

    await eventually(cosigned, what=f"{signed.origin} at size {signed.size} cosigned")
    return signed.size


def leaks(value: Any, where: str) -> list[str]:
    """Every erased key that still holds a value, at any depth of a row or a JSON column."""
    found = []
    if isinstance(value, dict):
        for key, inner in value.items():
            if where == "audit_record.details" and key == "personal":  # commitments, not values
                assert all(len(c) == 64 for c in inner.values())
                continue
            if key in ERASED_KEYS and inner is not None:
                found.append(f"{where}.{key}={inner!r}")
            found += leaks(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            found += leaks(inner, f"{where}[{i}]")
    elif isinstance(value, str) and value[:1] in "{[":
        try:
            found += leaks(json.loads(value), where)
        except ValueError:
            pass
    return found


async def every_row_about(node: Node, marks: tuple[str, ...]) -> list[str]:
    """Scan every table of the service's database: the rows that mention the nominee or the
    nomination, and what erased values they still hold."""
    async with node.sessions() as session:
        connection = await session.connection()
        tables = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        found = []
        for table in tables:
            for row in (await connection.execute(text(f'select * from "{table}"'))).mappings().all():
                if any(mark in json.dumps(dict(row), default=str, ensure_ascii=False) for mark in marks):
                    found += leaks(dict(row), f"{table}")
        openings = await session.exec(select(AuditPersonal).where(AuditPersonal.subject == LAN))
        found += [f"audit_personal.{o.field}={o.value!r}" for o in openings.all()]
    return found


async def test_erasure_at_the_managing_agency_reaches_every_service_and_breaks_no_log(
    tier_http, tmp_path, kafka_bootstrap
):
    nodes: list = []
    school = await start(tier_http, tmp_path, kafka_bootstrap, Tier.UNIT, nodes)
    district = await start(tier_http, tmp_path, kafka_bootstrap, Tier.DISTRICT, nodes)
    running = await run_all(nodes)
    try:
        clerk = auth(SCHOOL, "clerk")
        first = {"id": LAN, "name": "Lò Thị Lan", "position_category": "giao_vien"}
        assert (await school.client.post("/nominees", headers=clerk, json=first)).status_code == 201
        # The profile given later: a change audited as salted commitments, with openings kept aside.
        again = await school.client.post("/nominees", headers=clerk, json={**first, "sex": "nu", "ethnicity": "02"})
        assert again.status_code == 201 and again.json()["sex"] == "nu", again.text
        nid = await confer_at_the_district(school, district)
        school.relay.wake()
        district.relay.wake()
        for node in (school, district):
            got = await eventually(lambda n=node: award_record(n, nid), what="the conferral recorded")
            assert (got.nominee_sex, got.nominee_ethnicity) == ("nu", "02")
        await eventually(lambda: _held(replica(district)), what="the district's replica with the profile")
        assert await every_row_about(school, (LAN, nid)) and await every_row_about(district, (LAN, nid))
        before = {node.settings.tier: await witnessed(node) for node in (school, district)}

        # Who may erase: the managing agency's chair (or admin); not its clerk nor its auditor, not
        # another agency's chair; an unknown nominee is not found.
        url = f"/nominees/{LAN}/erasure"
        for token in (clerk, auth(SCHOOL, "auditor"), auth("U91-0002", "chair")):
            refused = await school.client.post(url, headers=token, json=ERASE)
            assert refused.status_code == 403 and "ethnicity" not in refused.text, refused.text
        unknown = await school.client.post(
            "/nominees/CCCD:091000000000/erasure", headers=auth(SCHOOL, "chair"), json=ERASE
        )
        assert unknown.status_code == 404, unknown.text
        assert await every_row_about(school, (LAN, nid))  # nothing erased by a refusal

        erased = await school.client.post(url, headers=auth(SCHOOL, "chair"), json=ERASE)
        assert erased.status_code == 200, erased.text
        answer = erased.json()
        assert (
            answer["already_erased"] is False
            and answer["erased_values"] >= 6
            and answer["fields"]
            == [
                "sex",
                "ethnicity",
            ]
        )
        school.relay.wake()
        await eventually(lambda: _erased(replica(district)), what="the district erasing its copies")

        # Nothing left at either service: rows, openings, answers.
        assert await every_row_about(school, (LAN, nid)) == []
        assert await every_row_about(district, (LAN, nid)) == []
        listed = (await school.client.get("/nominees", headers=clerk)).json()
        assert [(n["id"], n["name"], n["position_category"], n["sex"], n["ethnicity"]) for n in listed] == [
            (LAN, "Lò Thị Lan", "giao_vien", None, None)  # the name and the position stay (decision 0040)
        ]
        tracking = await school.client.get(f"/nominations/{nid}/tracking", headers=clerk)
        assert tracking.status_code == 200 and leaks(tracking.json(), "tracking") == [], tracking.text
        assert "award.conferred" in tracking.text

        # The erasure is in both logs, with no value; the chains verify; the next checkpoints extend
        # the witnessed ones (cosigned, no alarm); the evidence bundle still verifies offline.
        for node in (school, district):
            async with node.sessions() as session:
                assert (await verify_chain(session))["valid"]
                record = (
                    await session.exec(select(AuditRecord).where(AuditRecord.action == "nominee.personal_erased"))
                ).one()
            assert record.actor == f"{SCHOOL}:chair" and record.details["nominee_id"] == LAN
            assert set(record.details) == {"nominee_id", "basis", "fields", "values"} and "nu" not in str(
                record.details
            )
            after = await witnessed(node)
            assert after > before[node.settings.tier]
            alarms = await node.client.get(
                "/audit/alarms", headers=auth(SCHOOL if node is school else DISTRICT, "auditor")
            )
            assert alarms.status_code == 200 and alarms.json() == [], alarms.text
        assert record.outcome == "erased_copies" and record.details["values"] >= 2  # the district's own count
        await bundle_verifies(school, auth(SCHOOL, "clerk"), nid, tmp_path)
        await bundle_verifies(district, auth(DISTRICT, "chair"), nid, tmp_path)

        # Erasing again changes nothing: no record, no event.
        async with school.sessions() as session:
            counts = (await _count(session, AuditRecord), await _count(session, OutboxEvent))
        twice = await school.client.post(url, headers=auth(SCHOOL, "chair"), json=ERASE)
        assert (
            twice.status_code == 200 and twice.json()["already_erased"] is True and twice.json()["erased_values"] == 0
        )
        async with school.sessions() as session:
            assert (await _count(session, AuditRecord), await _count(session, OutboxEvent)) == counts
    finally:
        await stop_all(running)


async def bundle_verifies(node: Node, token: dict, nid: str, tmp_path: Path) -> None:
    answer = await node.client.get(f"/nominations/{nid}/evidence", headers=token)
    assert answer.status_code == 200, answer.text
    (log,) = verify_bundle(answer.content)
    assert log.records >= 1 and log.witnesses
    path = tmp_path / f"{node.settings.tier.value}-bundle.json"
    path.write_bytes(answer.content)
    ok = CliRunner().invoke(cli, ["audit", "verify", str(path), "--trust", f"{log.origin}={log.public_key}"])
    assert ok.exit_code == 0 and "the bundle verifies" in ok.output, ok.output


async def _held(found) -> bool:  # type: ignore[no-untyped-def]
    nominee = await found
    return nominee is not None and nominee.sex == "nu"


async def _erased(found) -> bool:  # type: ignore[no-untyped-def]
    nominee = await found
    return nominee is not None and nominee.personal_erased_at is not None


async def _count(session: AsyncSession, model: type) -> int:
    return len((await session.exec(select(model))).all())


async def deliver(sessions, event: Event, at: datetime, handlers: dict) -> Envelope:  # type: ignore[no-untyped-def]
    """What a service's consumer does with one message (a fresh event id: not a redelivery)."""
    envelope = envelope_for(event, source_agency=SCHOOL, occurred_at=at)
    await redeliver(sessions, envelope, handlers)
    return envelope


async def redeliver(sessions, envelope: Envelope, handlers: dict) -> None:  # type: ignore[no-untyped-def]
    async with transaction(sessions) as session:
        await handlers[envelope.type](session, envelope, parse_event(envelope))


async def test_an_event_on_its_way_during_the_erasure_brings_nothing_back(tier_http):
    """At central (the kit's tables and the national registry): a registration told before the
    erasure and a conferral about the erased nominee arrive after it; neither brings the values back,
    while a profile the managing agency gives again afterwards is taken. Applied twice, one record."""
    _, sessions = await tier_http(Tier.CENTRAL)
    handlers = merge_handlers(kit_handlers(), CENTRAL_HANDLERS)
    t0 = datetime.now(UTC) - timedelta(hours=1)
    registered = NomineeRegistered(
        nominee_id=LAN, kind="individual", name="Lò Thị Lan", agency_code=SCHOOL, actor=f"{SCHOOL}:clerk",
        registered_at=t0.isoformat(), position_category="giao_vien", sex="nu", ethnicity="02",
    )  # fmt: skip
    await deliver(sessions, registered, t0, handlers)
    erased = NomineePersonalErased(
        nominee_id=LAN,
        agency_code=SCHOOL,
        actor=f"{SCHOOL}:chair",
        basis="subject_request",
        fields=["sex", "ethnicity"],
    )
    told = await deliver(sessions, erased, t0 + timedelta(minutes=30), handlers)
    await redeliver(sessions, told, handlers)  # the same message again: one record, nothing more
    await deliver(sessions, registered, t0 + timedelta(minutes=10), handlers)  # told before, arriving after
    conferred = AwardConferred(
        nomination_id="n-late", proposer_agency=SCHOOL, nominee_name="Lò Thị Lan", award_code="CSTD_CO_SO",
        agency_code=DISTRICT, step=1, actor=f"{DISTRICT}:chair", decision_no="15/QĐ-UBND", decided_on="2026-02-20",
        nominee_id=LAN, nominee_kind="individual", nominee_position="giao_vien", nominee_sex="nu",
        nominee_ethnicity="02",
    )  # fmt: skip
    await deliver(sessions, conferred, t0 + timedelta(minutes=40), handlers)
    async with sessions() as session:
        nominee = await session.get(Nominee, LAN)
        assert nominee is not None and (nominee.sex, nominee.ethnicity, nominee.position_category) == (
            None,
            None,
            "giao_vien",
        )
        record = await session.get(AwardRecord, "n-late")
        registry = await session.get(ConferredAward, "n-late")
        assert record is not None and (record.nominee_sex, record.nominee_ethnicity) == (None, None)
        assert registry is not None and (registry.nominee_sex, registry.nominee_name) == (None, "Lò Thị Lan")
        erasures = select(AuditRecord).where(AuditRecord.action == "nominee.personal_erased")
        assert len((await session.exec(erasures)).all()) == 1
    node = Node(ServiceSettings(tier=Tier.CENTRAL, database_url="sqlite://"), None, sessions, None)  # type: ignore[arg-type]
    assert await every_row_about(node, (LAN, "n-late")) == []

    # Given again by the managing agency after the erasure: a new profile, learnt as told.
    await deliver(sessions, registered, t0 + timedelta(minutes=50), handlers)
    async with sessions() as session:
        nominee = await session.get(Nominee, LAN)
        assert nominee is not None and nominee.sex == "nu"
