"""Audit checkpoints witnessed across services over a real broker, attacks on the log, evidence bundles.

Three services (unit, district, province) on real databases, each with its own key, outbox relay
and `tdkt.audit` consumer; the unit service's log is attacked by someone with database access.
"""

import asyncio
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import delete, text
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from typer.testing import CliRunner

from deploy import cli_client
from deploy.cli import app as cli
from services.kit.audit.witness import audit_handlers, checkpoints, publish_checkpoint, signer_of
from services.kit.nominations.models import Nomination
from shared.contracts.audit import AuditCheckpointSigned
from shared.contracts.events import TOPIC_AUDIT
from shared.contracts.tiers import Tier
from shared.platform.audit import AuditRecord, append_audit, record_hash, verify_chain
from shared.platform.checkpoints import AuditCheckpoint, AuditCosignature, LogBroken
from shared.platform.consumer import EventConsumer
from shared.platform.db import transaction
from shared.platform.evidence import BundleInvalid, verify_bundle
from shared.platform.outbox import OutboxEvent, OutboxRelay, add_event
from shared.platform.settings import ServiceSettings
from shared.platform.signing import Checkpoint, verify_signature
from tests.helpers import auth, eventually

UNIT, AGENCY, NOMINATION = "tdkt/unit", "U91-0001", "n-evidence"
WITNESSES = {"tdkt/district", "tdkt/province"}
AUDITORS = {Tier.DISTRICT: "D903", Tier.PROVINCE: "P91"}


@dataclass
class Node:
    settings: ServiceSettings
    client: httpx.AsyncClient
    sessions: async_sessionmaker[AsyncSession]
    relay: OutboxRelay


async def start(tier_http, tmp_path: Path, bootstrap: str, tier: Tier, running: list, **options):  # type: ignore[no-untyped-def]
    """One service's audit side: its database and HTTP app, outbox relay and `tdkt.audit` consumer."""
    key_file = str(tmp_path / f"{tier.value}.key")
    client, sessions = await tier_http(tier, audit_key_file=key_file, **options)
    settings = ServiceSettings(tier=tier, audit_key_file=key_file, database_url="sqlite+aiosqlite://")
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    consumer = AIOKafkaConsumer(
        TOPIC_AUDIT,
        bootstrap_servers=bootstrap,
        group_id=f"w-{tier.value}-{uuid.uuid4()}",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=50,
    )
    relay = OutboxRelay(sessions, producer, poll_ms=50)
    events = EventConsumer(consumer, producer, sessions, audit_handlers(settings), max_attempts=2)
    running.append((producer, consumer, relay, events))
    return Node(settings, client, sessions, relay)


async def run_all(running: list) -> list:
    """Start every node's broker clients at once (joining a consumer group takes seconds), then their loops."""
    await asyncio.gather(*(part.start() for producer, consumer, _, _ in running for part in (producer, consumer)))
    tasks = [asyncio.create_task(loop.run()) for _, _, relay, events in running for loop in (relay, events)]
    return [*(part for producer, consumer, _, _ in running for part in (producer, consumer)), *tasks]


async def stop_all(parts: list) -> None:
    """Stop what `run_all` started, last first."""
    for part in reversed(parts):
        if isinstance(part, asyncio.Task):
            part.cancel()
            await asyncio.gather(part, return_exceptions=True)
        else:
            await part.stop()


async def append(node: Node, count: int, agency: str = AGENCY) -> None:
    async with transaction(node.sessions) as session:
        for _ in range(count):
            await append_audit(
                session,
                idempotency_key=str(uuid.uuid4()),
                at=datetime.now(UTC),
                agency_code=agency,
                actor=f"{agency}:clerk",
                action="nomination.submit",
                outcome="submitted",
                nomination_id=NOMINATION,
                reason="Hoàn thành xuất sắc nhiệm vụ",
                details={"nominee": "Nguyễn Thị Lan"},
            )


async def publish(node: Node) -> AuditCheckpointSigned | None:
    async with transaction(node.sessions) as session:
        signed = await publish_checkpoint(session, signer=signer_of(node.settings), now=datetime.now(UTC))
    node.relay.wake()
    return signed


async def witnesses_of(node: Node, size: int) -> set[str]:
    async with node.sessions() as session:
        origin = signer_of(node.settings).origin
        cosigned = select(AuditCosignature.witness).where(AuditCosignature.origin == origin)
        rows = await session.exec(cosigned.where(AuditCosignature.size == size))
        return set(rows.all())


async def alarms(node: Node) -> list[dict]:
    response = await node.client.get("/audit/alarms", headers=auth(AUDITORS[node.settings.tier], "auditor"))
    assert response.status_code == 200, response.text
    return response.json()


async def attacker(node: Node, sql: str) -> None:
    async with transaction(node.sessions) as session:
        await session.execute(text(sql))


async def recompute(node: Node) -> None:
    """What someone with database access does to hide an edit: every hash after it recomputed."""
    async with transaction(node.sessions) as session:
        prev = "0" * 64
        for record in (await session.exec(select(AuditRecord).order_by(col(AuditRecord.seq)))).all():
            record.prev_hash, record.hash = prev, ""
            record.hash = record_hash(record)
            prev = record.hash
            session.add(record)


def flipped(data: bytes, i: int) -> bytes:
    return data[:i] + bytes([data[i] ^ 0x01]) + data[i + 1 :]


async def test_witnesses_cosign_extensions_and_catch_every_rewrite(tier_http, tmp_path, kafka_bootstrap, monkeypatch):
    nodes: list = []
    unit = await start(tier_http, tmp_path, kafka_bootstrap, Tier.UNIT, nodes)
    district = await start(tier_http, tmp_path, kafka_bootstrap, Tier.DISTRICT, nodes)
    province = await start(tier_http, tmp_path, kafka_bootstrap, Tier.PROVINCE, nodes)
    running = await run_all(nodes)
    try:
        async with unit.sessions() as session:
            base = (await verify_chain(session))["records"]

        # Checkpoints are cosigned by both witnesses; the second is checked with its consistency proof.
        await append(unit, 3)
        first = await publish(unit)
        assert first is not None and first.size == base + 3
        await eventually(lambda: _equal(witnesses_of(unit, base + 3), WITNESSES), what="both witnesses")
        await append(unit, 2)
        second = await publish(unit)
        assert second is not None and second.previous_size == base + 3
        await eventually(lambda: _equal(witnesses_of(unit, base + 5), WITNESSES), what="the extension cosigned")

        await check_evidence(unit, tmp_path, size=base + 5)
        await check_every_level(unit, district, monkeypatch)

        # Equivocation: the same size with another root, signed with the unit's own (stolen) key.
        fake = Checkpoint(UNIT, base + 5, "ab" * 32, datetime.now(UTC).isoformat())
        signer = signer_of(unit.settings)
        forged = AuditCheckpointSigned(
            **vars(fake), public_key=signer.public_key, signature=signer.sign(fake.note()), previous_size=0
        )
        async with transaction(unit.sessions) as session:
            add_event(session, forged, source_agency=UNIT, occurred_at=datetime.now(UTC), key=UNIT)
        unit.relay.wake()
        for witness in (district, province):
            found = await eventually(lambda w=witness: alarms(w), what="an alarm for the same size, another root")
            assert "same size" in found[0]["reason"] and found[0]["root"] == "ab" * 32

        # A deleted tail: the service itself refuses to sign a log shorter than its checkpoint...
        await attacker(unit, f"delete from audit_record where seq > {base + 3}")
        with pytest.raises(LogBroken, match="checkpoint"):
            await publish(unit)
        # ...so the attacker deletes its checkpoints too; the chain still verifies, the witnesses object.
        async with transaction(unit.sessions) as session:
            await session.exec(delete(AuditCheckpoint).where(col(AuditCheckpoint.size) > base + 3))  # type: ignore[call-overload]
            assert (await verify_chain(session))["valid"]
        await append(unit, 1)
        assert (shorter := await publish(unit)) is not None and shorter.size == base + 4
        for witness in (district, province):
            found = await eventually(lambda w=witness: _longer(alarms(w), 1), what="an alarm for the shrunk log")
            assert "shrank" in found[0]["reason"]

        # The whole log recomputed after an edit, checkpoints hidden: valid chain, refused by the witnesses.
        await attacker(unit, f"update audit_record set reason = 'Không đủ điều kiện' where seq = {base + 2}")
        await recompute(unit)
        await attacker(unit, "delete from audit_checkpoint")
        async with unit.sessions() as session:
            assert (await verify_chain(session))["valid"]
        await append(unit, 2)
        assert (rewritten := await publish(unit)) is not None and rewritten.size == base + 6
        for witness in (district, province):
            found = await eventually(lambda w=witness: _longer(alarms(w), 2), what="an alarm for the rewritten log")
            assert "not an extension" in found[0]["reason"]
        assert await witnesses_of(unit, base + 4) == set() and await witnesses_of(unit, base + 6) == set()
        metrics = (await district.client.get("/metrics")).text
        assert 'tdkt_audit_alarms{origin="tdkt/unit"} 3.0' in metrics
    finally:
        await stop_all(running)


async def check_evidence(unit: Node, tmp_path: Path, *, size: int) -> None:
    """The bundle verifies offline (and through the CLI), and no byte of it can change unnoticed;
    a rewritten row makes it fail; another agency gets nothing."""
    async with transaction(unit.sessions) as session:
        session.add(nomination([AGENCY]))
    response = await unit.client.get(f"/nominations/{NOMINATION}/evidence", headers=auth(AGENCY, "clerk"))
    assert response.status_code == 200, response.text
    bundle = response.content
    (log,) = verify_bundle(bundle)
    assert (log.origin, log.size, log.records, set(log.witnesses)) == (UNIT, size, 5, WITNESSES)
    path = tmp_path / "bundle.json"
    path.write_bytes(bundle)
    ok = CliRunner().invoke(cli, ["audit", "verify", str(path), "--trust", f"{UNIT}={log.public_key}"])
    assert ok.exit_code == 0 and "the bundle verifies" in ok.output, ok.output
    for i in range(len(bundle)):
        with pytest.raises(BundleInvalid):
            verify_bundle(flipped(bundle, i))
    path.write_bytes(flipped(bundle, len(bundle) // 2))
    bad = CliRunner().invoke(cli, ["audit", "verify", str(path)])
    assert bad.exit_code == 1 and "does NOT verify" in bad.output

    # A rewritten row: the chain says where, and the bundle exported afterwards fails offline.
    await attacker(unit, f"update audit_record set outcome = 'refused' where nomination_id = '{NOMINATION}'")
    async with unit.sessions() as session:
        assert not (await verify_chain(session))["valid"]
    tampered = await unit.client.get(f"/nominations/{NOMINATION}/evidence", headers=auth(AGENCY, "clerk"))
    with pytest.raises(BundleInvalid, match="does not match its hash"):
        verify_bundle(tampered.content)
    await attacker(unit, f"update audit_record set outcome = 'submitted' where nomination_id = '{NOMINATION}'")
    other = await unit.client.get(f"/nominations/{NOMINATION}/evidence", headers=auth("U91-0002", "clerk"))
    assert other.status_code in (401, 404), other.text


def nomination(route: list[str]) -> Nomination:
    return Nomination(
        id=NOMINATION,
        proposer_agency=AGENCY,
        nominee_name="Nguyễn Thị Lan",
        nominee_kind="individual",
        award_code="GIAY_KHEN",
        reason="Hoàn thành xuất sắc nhiệm vụ",
        created_by=f"{AGENCY}:clerk",
        created_at=datetime.now(UTC),
        route=[{"agency_code": code} for code in route],
    )


async def check_every_level(unit: Node, district: Node, monkeypatch: pytest.MonkeyPatch) -> None:
    """The district's records of the same nomination, witnessed by the unit and the province, and
    `tdkt audit evidence` gathering both services' parts into one bundle that verifies."""
    await append(district, 2, agency="D903")
    signed = await publish(district)
    assert signed is not None
    others = {"tdkt/unit", "tdkt/province"}
    await eventually(lambda: _equal(witnesses_of(district, signed.size), others), what="the district's log witnessed")
    async with transaction(district.sessions) as session:
        session.add(nomination([AGENCY, "D903"]))
    parts = {}
    for node, token in ((unit, auth(AGENCY, "clerk")), (district, auth("D903", "chair"))):
        answer = await node.client.get(f"/nominations/{NOMINATION}/evidence", headers=token)
        assert answer.status_code == 200, answer.text
        parts[token["Authorization"].removeprefix("Bearer ")] = json.loads(answer.content)
    monkeypatch.setattr(cli_client.Officer, "call", lambda officer, method, path: parts[officer.token])
    out = Path(str(unit.settings.audit_key_file)).with_name("merged.json")
    tokens = list(parts)
    command = ["--token", tokens[0], "audit", "evidence", NOMINATION, "-o", str(out), "--also-token", tokens[1]]
    gathered = CliRunner().invoke(cli, command)
    assert gathered.exit_code == 0, gathered.output
    logs = verify_bundle(out.read_bytes())
    assert [(log.origin, log.records) for log in logs] == [("tdkt/district", 2), (UNIT, 5)]
    assert set(logs[0].witnesses) == others


async def _equal(check, expected):  # type: ignore[no-untyped-def]
    return await check == expected


async def _longer(check, length: int):  # type: ignore[no-untyped-def]
    found = await check
    return found if len(found) > length else None


async def test_the_service_signs_a_checkpoint_when_its_log_grew_and_only_then(sessions, tmp_path):
    key_file = tmp_path / "keys" / "central-audit.key"
    settings = ServiceSettings(
        tier=Tier.CENTRAL, audit_key_file=str(key_file), audit_checkpoint_seconds=0.05, database_url="sqlite://"
    )
    woken = asyncio.Event()
    task = asyncio.create_task(checkpoints(sessions, settings, woken.set))
    try:
        async with transaction(sessions) as session:
            for i in range(2):
                await append_audit(
                    session, idempotency_key=f"p{i}", at=datetime.now(UTC), agency_code="TW-BTDKT",
                    actor="TW-BTDKT:chair", action="decision.forward", outcome="forwarded",
                )  # fmt: skip
        await asyncio.wait_for(woken.wait(), timeout=30)
        await asyncio.sleep(0.3)  # several more periods: nothing new, nothing signed
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    async with sessions() as session:
        signed = (await session.exec(select(AuditCheckpoint))).all()
        published = (await session.exec(select(OutboxEvent))).all()
        size = (await verify_chain(session))["records"]
    assert [(c.origin, c.size) for c in signed] == [("tdkt/central", size)]
    assert [e.envelope["type"] for e in published] == ["audit.checkpoint_signed"]
    assert verify_signature(signed[0].public_key, signed[0].checkpoint().note(), signed[0].signature)
    assert key_file.stat().st_mode & 0o777 == 0o600  # generated on first start, readable by the service only
