"""Signed checkpoints of this service's audit log, the checkpoints it witnessed, and its alarms.

The log's Merkle tree (`shared/platform/merkle.py`) has one leaf per record, in `seq` order; a leaf
is the record's hash. A checkpoint signs the tree's size and root. This service keeps its own
checkpoints (origin = its own) and those of every other service it witnessed, with the
cosignatures it made or received, and an alarm for each checkpoint it refused to cosign.
"""

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint, func, text
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.contracts.audit import AuditCheckpointSigned, ConsistencyFrom
from shared.platform.audit import GENESIS, AuditRecord, record_hash
from shared.platform.merkle import Grown, consistency_proof, frontier_of, leaf_hash, tree_root
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
    # Our own checkpoints: the roots of the complete subtrees the tree of `size` is made of (hex, left
    # to right), so that the next one is computed from the records since, not the whole log (0037).
    frontier: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))

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


async def _leaves_after(session: AsyncSession, after: int) -> list[bytes]:
    """The leaves of the records after `after`, each link recomputed: only what verifies is signed."""
    previous = (await session.exec(select(AuditRecord).where(AuditRecord.seq == after))).first() if after else None
    prev = previous.hash if previous else GENESIS
    newer = select(AuditRecord).where(col(AuditRecord.seq) > after).order_by(col(AuditRecord.seq))
    leaves = []
    for position, record in enumerate(await session.exec(newer), start=after + 1):
        if record.seq != position:
            raise LogBroken(f"audit record {position} is missing (found {record.seq} in its place)")
        if record.prev_hash != prev or record_hash(record) != record.hash:
            raise LogBroken(f"audit record {record.seq} does not verify")
        prev = record.hash
        leaves.append(leaf_hash(bytes.fromhex(record.hash)))
    return leaves


ProofFrom = Callable[[int], Awaitable[list[bytes]]]


async def sign_checkpoint(
    session: AsyncSession, *, signer: Signer, now: datetime, whole: bool = False
) -> AuditCheckpointSigned | None:
    """Sign a checkpoint of the log if it grew since the last one; the event to publish, or None.

    The next tree comes from the last checkpoint's frontier and the records since, each link of
    those recomputed. With `whole` (the signer does it when it starts and then hourly), or when the
    last checkpoint has no frontier, every record is read again and the log refused (LogBroken)
    unless its first records still give the last checkpoint's root. Either way a log shorter than
    its last checkpoint is refused. Replicas of a service sign one at a time (on PostgreSQL an
    advisory lock; SQLite's write lock), so that no two checkpoints claim the same predecessor.
    """
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        await session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=CHECKPOINT_LOCK))  # type: ignore[call-overload]
    last = await latest_checkpoint(session, signer.origin)
    if whole or last is None or last.frontier is None:
        grown, proof_from = await _grown_from_all(session, last)
    else:
        grown, proof_from = await _grown_from_frontier(session, last)
    if grown is None:
        return None
    also_from = await _proofs_for_witnesses(session, signer.origin, last, grown.total, proof_from)
    checkpoint = Checkpoint(signer.origin, grown.total, grown.root().hex(), now.isoformat())
    row = AuditCheckpoint(
        **vars(checkpoint),
        public_key=signer.public_key,
        signature=signer.sign(checkpoint.note()),
        frontier=[h.hex() for h in grown.frontier()],
    )
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
        consistency=[h.hex() for h in grown.consistency()] if last else [],
        also_from=also_from,
    )


async def _grown_from_all(session: AsyncSession, last: AuditCheckpoint | None) -> tuple[Grown | None, ProofFrom]:
    leaves = await leaf_hashes(session)

    async def proof_from(size: int) -> list[bytes]:
        return consistency_proof(size, leaves)

    if last is not None:
        if len(leaves) < last.size:
            raise LogBroken(f"the log holds {len(leaves)} records, its checkpoint {last.size}")
        if tree_root(leaves[: last.size]).hex() != last.root:
            raise LogBroken(f"the log's first {last.size} records differ from its signed checkpoint")
    size = last.size if last else 0
    if len(leaves) == size:
        return None, proof_from
    await _leaves_after(session, size)  # the links since the last checkpoint
    return Grown(size, frontier_of(leaves[:size]), leaves[size:]), proof_from


async def _grown_from_frontier(session: AsyncSession, last: AuditCheckpoint) -> tuple[Grown | None, ProofFrom]:
    top = (await session.exec(select(func.max(AuditRecord.seq)))).one() or 0
    if top < last.size:
        raise LogBroken(f"the log holds {top} records, its checkpoint {last.size}")
    assert last.frontier is not None, "chosen for its frontier"
    frontier = [bytes.fromhex(h) for h in last.frontier]
    if Grown(last.size, frontier, []).root().hex() != last.root:
        raise LogBroken(f"the frontier kept with checkpoint {last.size} does not give its root")

    new = await _leaves_after(session, last.size) if top > last.size else []

    async def proof_from(size: int) -> list[bytes]:
        older = await checkpoint_at(session, last.origin, size)
        if older is None or older.frontier is None:  # signed before frontiers were kept
            return consistency_proof(size, await leaf_hashes(session))
        # The records up to the last checkpoint were verified when it was signed: their stored
        # hashes serve (were they altered since, the witness's check of the proof says so).
        between = await _stored_leaves(session, size, last.size)
        return Grown(size, [bytes.fromhex(h) for h in older.frontier], between + new).consistency()

    if not new:
        return None, proof_from
    return Grown(last.size, frontier, new), proof_from


async def _stored_leaves(session: AsyncSession, after: int, upto: int) -> list[bytes]:
    """The leaves of records `after` < seq <= `upto` from their stored hashes (one column read)."""
    hashes = select(AuditRecord.hash).where(col(AuditRecord.seq) > after, col(AuditRecord.seq) <= upto)
    return [leaf_hash(bytes.fromhex(h)) for h in (await session.exec(hashes.order_by(col(AuditRecord.seq)))).all()]


async def _proofs_for_witnesses(
    session: AsyncSession, origin: str, last: AuditCheckpoint | None, total: int, proof_from: ProofFrom
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
        if older is not None and size < total:
            proof = [h.hex() for h in await proof_from(size)]
            proofs.append(ConsistencyFrom(size=size, root=older.root, consistency=proof))
    return proofs
