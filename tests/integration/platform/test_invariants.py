"""The settled-system check finds each kind of loss it names: an event never published, an event a
service that handles it never applied, a decision recorded twice, a broken audit chain; and says
nothing of four quiet databases. SQLite: the check reads rows, the databases are not its subject."""

from datetime import UTC, datetime

from sqlalchemy import text

from deploy.invariants import check_settled
from shared.contracts.events import NominationWithdrawn
from shared.contracts.tiers import TIER_ORDER, Tier
from shared.platform.audit import append_audit
from shared.platform.checkpoints import AuditAlarm
from shared.platform.consumer import ProcessedEvent
from shared.platform.db import make_engine, session_factory, transaction
from shared.platform.outbox import add_event

NOW = datetime(2025, 5, 15, 9, tzinfo=UTC)


async def write(url: str, work) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            await work(session)
    finally:
        await engine.dispose()


async def test_each_kind_of_loss_is_named(tmp_path, seeded_databases):
    urls = {tier: await seeded_databases.url("sqlite", tier, tmp_path, tier.value) for tier in TIER_ORDER}
    assert (await check_settled(urls)).ok()

    event = NominationWithdrawn(
        nomination_id="n-1", award_code="GIAY_KHEN", nominee_name="Lan", proposer_agency="U91-0001",
        agency_code="U91-0001", step=0, actor="U91-0001:clerk", reason="Rút hồ sơ",
    )  # fmt: skip
    row_ids: list[str] = []

    async def publish(session) -> None:  # type: ignore[no-untyped-def]
        row = add_event(session, event, source_agency="U91-0001", occurred_at=NOW, key="n-1")
        row_ids.append(row.event_id)

    await write(urls[Tier.UNIT], publish)
    found = await check_settled(urls)
    assert found.events == 1 and len(found.unpublished) == 1 and "nomination.withdrawn" in found.unpublished[0]
    assert len(found.undelivered) == 4  # every tier's consumer handles a withdrawal; none applied it

    await write(urls[Tier.UNIT], lambda s: s.exec(text("update outbox set published_at = created_at")))
    for tier in TIER_ORDER:
        if tier != Tier.CENTRAL:

            async def applied(session) -> None:  # type: ignore[no-untyped-def]
                session.add(ProcessedEvent(event_id=row_ids[0], event_type=event.type, processed_at=NOW))

            await write(urls[tier], applied)
    found = await check_settled(urls)
    assert not found.unpublished and found.undelivered == [f"nomination.withdrawn {row_ids[0]} from unit to central"]

    async def decide_twice(session) -> None:  # type: ignore[no-untyped-def]
        for key in ("a", "b"):
            await append_audit(
                session, idempotency_key=key, at=NOW, agency_code="P91", actor="P91:chair",
                action="decision.forward", outcome="forwarded", nomination_id="n-2", details={"step": 2, "visit": 1},
            )  # fmt: skip

    await write(urls[Tier.PROVINCE], decide_twice)
    await write(urls[Tier.PROVINCE], lambda s: s.exec(text("update audit_record set reason = 'sửa' where seq = 1")))
    found = await check_settled(urls)
    assert found.duplicates == ["province: ('n-2', 'P91', 'decision.forward', 2, 1) ×2"]
    assert found.audit_failures == ["province: broken at seq 1"] and not found.ok()
    assert "1 duplicates" in found.summary() and "1 audit failures" in found.summary()

    # A witness's alarm about another service's log is an audit failure too (decision 0034).
    reason = "the log shrank: 3 records after a checkpoint of 5"

    async def alarm(session) -> None:  # type: ignore[no-untyped-def]
        session.add(AuditAlarm(origin="tdkt/unit", size=3, root="ab" * 32, reason=reason, raised_at=NOW))

    await write(urls[Tier.DISTRICT], alarm)
    found = await check_settled(urls)
    assert f"district witnessed tdkt/unit at 3: {reason}" in found.audit_failures
