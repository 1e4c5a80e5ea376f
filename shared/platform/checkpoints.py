"""Signed checkpoints of this service's audit log, the checkpoints it witnessed, and its alarms.

The log's Merkle tree (`shared/platform/merkle.py`) has one leaf per record, in `seq` order; a leaf
is the record's hash. A checkpoint signs the tree's size and root. This service keeps its own
checkpoints (origin = its own) and those of every other service it witnessed, with the
cosignatures it made or received, and an alarm for each checkpoint it refused to cosign.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint, func, text
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.contracts.audit import AuditCheckpointSigned, ConsistencyFrom
from shared.platform.audit import GENESIS, AuditRecord, record_hash
from shared.platform.merkle import consistency_proof, leaf_hash, tree_root
from shared.platform.signing import Checkpoint, Signer


class AuditCheckpoint(SQLModel, table=True):
    """A signed checkpoint: this service's own, or another's that it witnessed."""

    __tablename__ = "audit_checkpoint"
    __table_args__ = (UniqueConstraint("origin", "size"),)

    id: int | None = Field(default=None, primary_key=True)
    origin: str = Field(index=True)
    size: int
    root: str
    time: str
    public_key: str
    signature: str

    def checkpoint(self) -> Checkpoint:
        return Checkpoint(self.origin, self.size, self.root, self.time)


class AuditCosignature(SQLModel, table=True):
    """A witness's countersignature of a checkpoint (made here, or received for our own)."""

    __tablename__ = "audit_cosignature"
    __table_args__ = (UniqueConstraint("origin", "size", "witness"),)

    id: int | None = Field(default=None, primary_key=True)
    origin: str = Field(index=True)
    size: int
    root: str
    witness: str
    witness_key: str
    cosigned_at: str
    signature: str


class AuditAlarm(SQLModel, table=True):
    """A checkpoint this service refused to cosign, and why."""

    __tablename__ = "audit_alarm"

    id: int | None = Field(default=None, primary_key=True)
    origin: str = Field(index=True)
    size: int
    root: str
    reason: str
    raised_at: datetime
    checkpoint: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


# Any fixed 64-bit number other than the append lock's: the key of the lock that serialises signing.
CHECKPOINT_LOCK = 0x7464_6B74_636B_7074


class LogBroken(Exception):
    """The log cannot be checkpointed: a record is missing or altered, or it contradicts a checkpoint."""


async def leaf_hashes(session: AsyncSession) -> list[bytes]:
    """The tree's leaves, oldest first; LogBroken if a sequence number is missing."""
    rows = (await session.exec(select(AuditRecord.seq, AuditRecord.hash).order_by(col(AuditRecord.seq)))).all()
    for position, (seq, _) in enumerate(rows, start=1):
        if seq != position:
            raise LogBroken(f"audit record {position} is missing (found {seq} in its place)")
    return [leaf_hash(bytes.fromhex(digest)) for _, digest in rows]


async def latest_checkpoint(session: AsyncSession, origin: str) -> AuditCheckpoint | None:
    statement = select(AuditCheckpoint).where(AuditCheckpoint.origin == origin)
    return (await session.exec(statement.order_by(col(AuditCheckpoint.size).desc()).limit(1))).first()


async def checkpoint_at(session: AsyncSession, origin: str, size: int) -> AuditCheckpoint | None:
    statement = select(AuditCheckpoint).where(AuditCheckpoint.origin == origin, AuditCheckpoint.size == size)
    return (await session.exec(statement)).first()


async def _check_new_records(session: AsyncSession, after: int) -> None:
    """Recompute the links appended since the last checkpoint: only what verifies is signed."""
    previous = (await session.exec(select(AuditRecord).where(AuditRecord.seq == after))).first() if after else None
    prev = previous.hash if previous else GENESIS
    newer = select(AuditRecord).where(col(AuditRecord.seq) > after).order_by(col(AuditRecord.seq))
    for record in await session.exec(newer):
        if record.prev_hash != prev or record_hash(record) != record.hash:
            raise LogBroken(f"audit record {record.seq} does not verify")
        prev = record.hash


async def sign_checkpoint(session: AsyncSession, *, signer: Signer, now: datetime) -> AuditCheckpointSigned | None:
    """Sign the log's current tree if it grew since the last checkpoint; the event to publish, or None.

    Refuses (LogBroken) a log that is shorter than, or does not extend, its own last checkpoint.
    Replicas of a service sign one at a time (on PostgreSQL an advisory lock; SQLite's write lock),
    so that no two checkpoints claim the same predecessor.
    """
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=CHECKPOINT_LOCK))  # type: ignore[call-overload]
    leaves = await leaf_hashes(session)
    last = await latest_checkpoint(session, signer.origin)
    if last is not None:
        if len(leaves) < last.size:
            raise LogBroken(f"the log holds {len(leaves)} records, its checkpoint {last.size}")
        if tree_root(leaves[: last.size]).hex() != last.root:
            raise LogBroken(f"the log's first {last.size} records differ from its signed checkpoint")
        if len(leaves) == last.size:
            return None
    elif not leaves:
        return None
    await _check_new_records(session, last.size if last else 0)
    also_from = await _proofs_for_witnesses(session, signer.origin, last, leaves)
    checkpoint = Checkpoint(signer.origin, len(leaves), tree_root(leaves).hex(), now.isoformat())
    row = AuditCheckpoint(**vars(checkpoint), public_key=signer.public_key, signature=signer.sign(checkpoint.note()))
    session.add(row)
    await session.flush()
    return AuditCheckpointSigned(
        origin=row.origin,
        size=row.size,
        root=row.root,
        time=row.time,
        public_key=row.public_key,
        signature=row.signature,
        previous_size=last.size if last else 0,
        previous_root=last.root if last else "",
        consistency=[h.hex() for h in consistency_proof(last.size, leaves)] if last else [],
        also_from=also_from,
    )


async def _proofs_for_witnesses(
    session: AsyncSession, origin: str, last: AuditCheckpoint | None, leaves: list[bytes]
) -> list[ConsistencyFrom]:
    """Proofs from the last checkpoint each witness cosigned, where that is not the previous one: a
    witness that missed checkpoints (it parked the event, or was away past the outbox's retention)
    judges the new one from what it saw, instead of raising a false alarm."""
    if last is None:
        return []
    latest = select(AuditCosignature.witness, func.max(AuditCosignature.size)).where(AuditCosignature.origin == origin)
    sizes = {size for _, size in (await session.exec(latest.group_by(col(AuditCosignature.witness)))).all()}
    proofs = []
    for size in sorted(sizes - {last.size}):
        older = await checkpoint_at(session, origin, size)
        if older is not None and size < len(leaves):
            proof = [h.hex() for h in consistency_proof(size, leaves)]
            proofs.append(ConsistencyFrom(size=size, root=older.root, consistency=proof))
    return proofs
