"""Witnessing: every service checks the checkpoints the others publish and countersigns the good ones.

A checkpoint is cosigned when its signature holds and it extends the last checkpoint this service
saw from that origin (checked with the consistency proof it carries); the first one seen from an
origin is taken on trust, with its key. A smaller checkpoint signed before the last one seen is a
late delivery (a broker that lost its log gets the outbox's rows again, and a consumer that read the
new log from its start meets older events after newer ones: decision 0032), not a shrunk log: it is
left alone. Anything else (a bad signature, a changed key, the same size with another root, a
smaller tree signed later, an unproven one) is an alarm: logged at error, counted by `/metrics`,
listed by `GET /audit/alarms`, and never cosigned. Functions never commit.
"""

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import structlog
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.contracts.audit import AuditCheckpointCosigned, AuditCheckpointSigned
from shared.contracts.envelope import Envelope, Event
from shared.platform.checkpoints import (
    AuditAlarm,
    AuditCheckpoint,
    AuditCosignature,
    checkpoint_at,
    latest_checkpoint,
    sign_checkpoint,
)
from shared.platform.consumer import Handler
from shared.platform.db import transaction
from shared.platform.merkle import verify_consistency
from shared.platform.outbox import add_event
from shared.platform.settings import ServiceSettings
from shared.platform.signing import Checkpoint, Signer, strict_hex, verify_signature

# The signer re-reads the whole log against its last checkpoint when it starts and then this often;
# between, each checkpoint is computed from the last one's frontier and the records since.
WHOLE_LOG_SECONDS = 3600.0

log = structlog.get_logger()

_SIGNERS: dict[tuple[str, str, str], Signer] = {}


def signer_of(settings: ServiceSettings) -> Signer:
    """This service's signing identity: AUDIT_SIGNING_KEY, or the key file (made on first use)."""
    seed = settings.audit_signing_key.get_secret_value() if settings.audit_signing_key else ""
    cache = (settings.audit_origin, seed, settings.audit_key_file)
    if cache not in _SIGNERS:
        _SIGNERS[cache] = (
            Signer.from_seed(settings.audit_origin, seed)
            if seed
            else Signer.load(settings.audit_origin, Path(settings.audit_key_file))
        )
    return _SIGNERS[cache]


def judge(checkpoint: AuditCheckpointSigned, latest: AuditCheckpoint | None, same_size: AuditCheckpoint | None) -> str:
    """`cosign`, `seen` (already witnessed: a replay), `late` (older than the last one seen, signed
    before it: delivered out of order) or why the checkpoint is refused."""
    note = Checkpoint(checkpoint.origin, checkpoint.size, checkpoint.root, checkpoint.time).note()
    if not verify_signature(checkpoint.public_key, note, checkpoint.signature):
        return "the checkpoint's signature does not verify with the key it names"
    if latest is None:
        return "cosign"
    if checkpoint.public_key != latest.public_key:
        return f"the origin's key changed (was {latest.public_key})"
    if same_size is not None:
        if same_size.root == checkpoint.root:
            return "seen"
        return f"same size {checkpoint.size} as a checkpoint seen before, with a different root ({same_size.root})"
    if checkpoint.size < latest.size:
        signed, last_signed = _signed_at(checkpoint.time), _signed_at(latest.time)
        if signed is not None and last_signed is not None and signed < last_signed:
            return "late"
        return f"the log shrank: {checkpoint.size} records after a checkpoint of {latest.size}"
    # The proof from the checkpoint this witness saw last: the previous one's, or, if it missed some,
    # the one the origin adds from the last checkpoint this witness cosigned.
    proofs = {(checkpoint.previous_size, checkpoint.previous_root): checkpoint.consistency}
    proofs |= {(p.size, p.root): p.consistency for p in checkpoint.also_from}
    hashes = proofs.get((latest.size, latest.root))
    try:
        proof = [strict_hex(h, 32) for h in hashes or []]
        old, new = strict_hex(latest.root, 32), strict_hex(checkpoint.root, 32)
    except ValueError:
        return "the consistency proof is malformed"
    if hashes is None or not verify_consistency(latest.size, checkpoint.size, old, new, proof):
        return f"not an extension of the checkpoint of size {latest.size} seen before (root {latest.root})"
    return "cosign"


def _signed_at(time: str) -> datetime | None:
    """A checkpoint's signing time (ISO 8601 with its zone), or None if it does not say one."""
    try:
        at = datetime.fromisoformat(time)
    except ValueError:
        return None
    return at if at.tzinfo is not None else None


async def witness_checkpoint(
    session: AsyncSession, *, signer: Signer, checkpoint: AuditCheckpointSigned, now: datetime
) -> AuditCheckpointCosigned | None:
    """Check another service's checkpoint; the cosignature to publish, or None (seen, or an alarm)."""
    if checkpoint.origin == signer.origin:
        return None
    verdict = judge(
        checkpoint,
        await latest_checkpoint(session, checkpoint.origin),
        await checkpoint_at(session, checkpoint.origin, checkpoint.size),
    )
    if verdict in ("seen", "late"):
        if verdict == "late":
            log.info("audit.checkpoint_late", origin=checkpoint.origin, size=checkpoint.size)
        return None
    if verdict != "cosign":
        log.error("audit.checkpoint_refused", origin=checkpoint.origin, size=checkpoint.size, reason=verdict)
        session.add(
            AuditAlarm(
                origin=checkpoint.origin,
                size=checkpoint.size,
                root=checkpoint.root,
                reason=verdict,
                raised_at=now,
                checkpoint=checkpoint.model_dump(mode="json"),
            )
        )
        return None
    fields = Checkpoint(checkpoint.origin, checkpoint.size, checkpoint.root, checkpoint.time)
    session.add(AuditCheckpoint(**vars(fields), public_key=checkpoint.public_key, signature=checkpoint.signature))
    cosigned_at = now.isoformat()
    cosignature = AuditCheckpointCosigned(
        **vars(fields),
        witness=signer.origin,
        witness_key=signer.public_key,
        cosigned_at=cosigned_at,
        signature=signer.sign(fields.cosignature_note(signer.origin, cosigned_at)),
    )
    session.add(AuditCosignature(**cosignature.model_dump(exclude={"time"})))
    log.info("audit.checkpoint_cosigned", origin=checkpoint.origin, size=checkpoint.size)
    return cosignature


async def record_cosignature(session: AsyncSession, *, signer: Signer, cosignature: AuditCheckpointCosigned) -> None:
    """Keep a witness's cosignature of one of our own checkpoints, once it verifies."""
    if cosignature.origin != signer.origin:
        return
    own = await checkpoint_at(session, signer.origin, cosignature.size)
    note = Checkpoint(cosignature.origin, cosignature.size, cosignature.root, cosignature.time)
    if own is None or own.root != cosignature.root or own.time != cosignature.time:
        log.error("audit.cosignature_unknown_checkpoint", witness=cosignature.witness, size=cosignature.size)
        return
    signed = note.cosignature_note(cosignature.witness, cosignature.cosigned_at)
    if not verify_signature(cosignature.witness_key, signed, cosignature.signature):
        log.error("audit.cosignature_invalid", witness=cosignature.witness, size=cosignature.size)
        return
    known = await session.exec(
        select(AuditCosignature).where(
            AuditCosignature.origin == cosignature.origin,
            AuditCosignature.size == cosignature.size,
            AuditCosignature.witness == cosignature.witness,
        )
    )
    if known.first() is None:
        session.add(AuditCosignature(**cosignature.model_dump(exclude={"time"})))


async def list_alarms(session: AsyncSession, *, limit: int = 100) -> list[AuditAlarm]:
    statement = select(AuditAlarm).order_by(col(AuditAlarm.id).desc()).limit(limit)
    return list((await session.exec(statement)).all())


async def latest_checkpoints(session: AsyncSession, *, own: str) -> list[dict[str, Any]]:
    """The latest checkpoint of every origin known here, ours first, with who cosigned it."""
    origins = (await session.exec(select(AuditCheckpoint.origin).distinct())).all()
    found = []
    for origin in sorted(origins, key=lambda o: (o != own, o)):
        latest = await latest_checkpoint(session, origin)
        assert latest is not None
        cosigned = select(AuditCosignature.witness).where(
            AuditCosignature.origin == origin, AuditCosignature.size == latest.size
        )
        witnesses = sorted((await session.exec(cosigned)).all())
        found.append({**latest.model_dump(exclude={"id"}), "witnesses": witnesses})
    return found


def audit_handlers(settings: ServiceSettings) -> dict[str, Handler]:
    """What the consumer does with `tdkt.audit`: witness the others' checkpoints, keep our cosignatures."""

    async def on_signed(session: AsyncSession, envelope: Envelope, event: Event) -> None:
        assert isinstance(event, AuditCheckpointSigned)
        signer, now = signer_of(settings), datetime.now(UTC)
        cosigned = await witness_checkpoint(session, signer=signer, checkpoint=event, now=now)
        if cosigned is not None:
            add_event(session, cosigned, source_agency=signer.origin, occurred_at=now, key=event.origin)

    async def on_cosigned(session: AsyncSession, envelope: Envelope, event: Event) -> None:
        assert isinstance(event, AuditCheckpointCosigned)
        await record_cosignature(session, signer=signer_of(settings), cosignature=event)

    return {AuditCheckpointSigned.type: on_signed, AuditCheckpointCosigned.type: on_cosigned}


async def publish_checkpoint(
    session: AsyncSession, *, signer: Signer, now: datetime, whole: bool = False
) -> AuditCheckpointSigned | None:
    """Sign a checkpoint if the log grew, and put it in the outbox (`whole`: the whole log re-read)."""
    signed = await sign_checkpoint(session, signer=signer, now=now, whole=whole)
    if signed is not None:
        add_event(session, signed, source_agency=signer.origin, occurred_at=now, key=signer.origin)
        log.info("audit.checkpoint_signed", origin=signed.origin, size=signed.size)
    return signed


async def checkpoints(
    sessions: async_sessionmaker[AsyncSession], settings: ServiceSettings, wake: Callable[[], None]
) -> None:
    """The service's periodic task: at most every AUDIT_CHECKPOINT_SECONDS, a checkpoint if the log
    grew, from the records since the last one; the first after start and then one an hour re-read
    the whole log against its last checkpoint (decision 0045)."""
    signer = signer_of(settings)
    whole_due = 0.0
    while True:
        await asyncio.sleep(settings.audit_checkpoint_seconds)
        try:
            whole = time.monotonic() >= whole_due
            async with transaction(sessions) as session:
                signed = await publish_checkpoint(session, signer=signer, now=datetime.now(UTC), whole=whole)
            if whole:
                whole_due = time.monotonic() + WHOLE_LOG_SECONDS
            if signed is not None:
                wake()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("audit.checkpoint_failed", origin=signer.origin)
