"""What must hold of a whole system once it has settled, whatever died on the way.

Read from the four service databases directly (a check, not a client): every event a service
committed was published, and applied by every service that handles its type; no decision was
recorded twice; every audit chain verifies and no witness raised an alarm about another's log.
The fault suite (`tests/faults/`) and the soak (`python -m bench soak`) ask the same question of the
systems they break.
"""

import asyncio
import time
from collections import Counter
from dataclasses import dataclass, field

from sqlmodel import col, select

from services.central.handlers import HANDLERS as CENTRAL_HANDLERS
from services.kit.handlers import KIT_HANDLERS
from shared.contracts.tiers import TIER_ORDER, Tier
from shared.platform.audit import AuditRecord, verify_chain
from shared.platform.checkpoints import AuditAlarm
from shared.platform.consumer import ProcessedEvent
from shared.platform.db import make_engine, session_factory
from shared.platform.outbox import OutboxEvent


def handled_by(tier: Tier) -> set[str]:
    """The event types a tier's consumer applies (and so records as processed)."""
    return set(KIT_HANDLERS) | (set(CENTRAL_HANDLERS) if tier == Tier.CENTRAL else set())


@dataclass
class Settled:
    unpublished: list[str] = field(default_factory=list)  # "tier: event type id"
    undelivered: list[str] = field(default_factory=list)  # "type id from tier to tier"
    duplicates: list[str] = field(default_factory=list)  # "tier: nomination action step visit ×n"
    audit_failures: list[str] = field(default_factory=list)  # "tier: broken at seq"
    events: int = 0  # events committed, over every service

    @property
    def lost(self) -> int:
        return len(self.unpublished) + len(self.undelivered)

    def ok(self) -> bool:
        return not (self.unpublished or self.undelivered or self.duplicates or self.audit_failures)

    def summary(self) -> str:
        parts = [f"{self.events} events committed"]
        for name in ("unpublished", "undelivered", "duplicates", "audit_failures"):
            found: list[str] = getattr(self, name)
            if found:
                parts.append(f"{len(found)} {name.replace('_', ' ')} (first: {found[0]})")
        return "; ".join(parts)


async def _read(url: str) -> tuple[list[OutboxEvent], set[str], list[AuditRecord], dict]:
    engine = make_engine(url)
    try:
        async with session_factory(engine)() as session:
            outbox = list((await session.exec(select(OutboxEvent).order_by(col(OutboxEvent.id)))).all())
            processed = set((await session.exec(select(ProcessedEvent.event_id))).all())
            decisions = list(
                (await session.exec(select(AuditRecord).where(col(AuditRecord.action).startswith("decision.")))).all()
            )
            chain = await verify_chain(session)
            alarms = (await session.exec(select(AuditAlarm))).all()
            chain["alarms"] = [f"{a.origin} at {a.size}: {a.reason}" for a in alarms]
    finally:
        await engine.dispose()
    return outbox, processed, decisions, chain


async def check_settled(database_urls: dict[Tier, str]) -> Settled:
    """Everything the invariants find wrong now; `ok()` once the system has settled."""
    found = Settled()
    read = {tier: await _read(database_urls[tier]) for tier in TIER_ORDER}
    committed = [(tier, row) for tier in TIER_ORDER for row in read[tier][0]]
    found.events = len(committed)
    for tier, row in committed:
        if row.published_at is None:
            found.unpublished.append(f"{tier.value}: {row.envelope.get('type')} {row.event_id}")
    for consumer in TIER_ORDER:
        processed, handled = read[consumer][1], handled_by(consumer)
        for source, row in committed:
            kind = str(row.envelope.get("type"))
            if kind in handled and row.event_id not in processed:
                found.undelivered.append(f"{kind} {row.event_id} from {source.value} to {consumer.value}")
    for tier in TIER_ORDER:
        _, _, decisions, chain = read[tier]
        steps = Counter(
            (d.nomination_id, d.agency_code, d.action, d.details.get("step"), d.details.get("visit")) for d in decisions
        )
        found.duplicates += [f"{tier.value}: {key} ×{n}" for key, n in steps.items() if n > 1]
        if not chain["valid"]:
            found.audit_failures.append(f"{tier.value}: broken at seq {chain['broken_at_seq']}")
        found.audit_failures += [f"{tier.value} witnessed {alarm}" for alarm in chain["alarms"]]
    return found


async def wait_settled(database_urls: dict[Tier, str], within: float, every: float = 0.5) -> Settled:
    """Check until the system has settled or `within` seconds have passed; the last finding."""
    deadline = time.monotonic() + within
    found = await check_settled(database_urls)
    while not found.ok() and time.monotonic() < deadline:
        await asyncio.sleep(every)
        found = await check_settled(database_urls)
    return found
