"""Append-only, hash-chained audit log, one chain per service database.

Each record's hash covers its content and the previous record's hash, so altering or deleting
any record breaks every later link; `verify_chain` recomputes the chain from the start.

An agency's log (its records in this service's log) ends with its closing record
(`agency.log_closed`, written when a reorganization retires it, decision 0039): after it, nothing
more is appended for that agency.
"""

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, event, func, text
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql.util import find_tables
from sqlmodel import Field, SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.platform.db import transaction_memo
from shared.platform.personal import commit_personal


class AuditRecord(SQLModel, table=True):
    """Append-only, hash-chained: who did what, when, where, why, and with what outcome."""

    __tablename__ = "audit_record"
    # At most one closing record per agency, and a quick answer to "is this agency's log closed?"
    # on every append (migration 0035).
    __table_args__ = (
        Index(
            "ux_audit_record_agency_closed",
            "agency_code",
            unique=True,
            sqlite_where=text("action = 'agency.log_closed'"),
            postgresql_where=text("action = 'agency.log_closed'"),
        ),
    )

    seq: int | None = Field(default=None, primary_key=True)
    idempotency_key: str = Field(unique=True)
    at: datetime
    agency_code: str = Field(index=True)
    nomination_id: str | None = Field(default=None, index=True)
    actor: str
    action: str
    reason: str | None = None
    outcome: str
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str
    hash: str = Field(unique=True)


GENESIS = "0" * 64
LOG_CLOSED = "agency.log_closed"  # the last record of an agency's log (decision 0039)
LOG_SUCCEEDED = "agency.log_succeeded"  # a successor's reference to its predecessor's closed log
# Any fixed 64-bit number: the key of the PostgreSQL advisory lock that serialises appends.
APPEND_LOCK = 0x7464_6B74_6175_6474


class AgencyLogClosed(Exception):
    """An append for an agency whose log here ended with its closing record."""

    def __init__(self, closing: "AuditRecord") -> None:
        details = closing.details or {}
        successors = ", ".join(details.get("successors") or []) or "-"
        self.agency_code = closing.agency_code
        self.message = (
            f"the audit log of {closing.agency_code} was closed by reorganization plan {details.get('plan', '?')} "
            f"(record {closing.seq}, agency.log_closed): nothing more is recorded for it; "
            f"its successors act in its stead: {successors}"
        )
        self.vi = (
            f"nhật ký kiểm toán của {closing.agency_code} đã khép lại theo kế hoạch sắp xếp "
            f"{details.get('plan', '?')} (bản ghi {closing.seq}): không ghi thêm gì cho cơ quan này; "
            f"cơ quan kế thừa: {successors}"
        )
        super().__init__(self.message)


def _utc_naive(at: datetime) -> datetime:
    """SQLite returns naive datetimes, PostgreSQL aware ones: hash one canonical form."""
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


def record_body(record: AuditRecord) -> dict[str, Any]:
    """What a record's hash covers, as plain JSON values (an evidence bundle carries exactly this)."""
    return {
        "seq": record.seq,
        "idempotency_key": record.idempotency_key,
        "at": _utc_naive(record.at).isoformat(),
        "agency_code": record.agency_code,
        "nomination_id": record.nomination_id,
        "actor": record.actor,
        "action": record.action,
        "reason": record.reason,
        "outcome": record.outcome,
        "details": record.details,
        "prev_hash": record.prev_hash,
    }


def body_hash(body: dict[str, Any]) -> str:
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def record_hash(record: AuditRecord) -> str:
    return body_hash(record_body(record))


async def append_audit(
    session: AsyncSession,
    *,
    idempotency_key: str,
    at: datetime,
    agency_code: str,
    actor: str,
    action: str,
    outcome: str,
    nomination_id: str | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
    personal: dict[str, Any] | None = None,
    subject: str | None = None,
) -> AuditRecord:
    """Add the next link of the chain. `personal` values (about `subject`, which erasure names)
    enter it as salted commitments under `details["personal"]` (`shared/platform/personal.py`).

    The record is queued and chained when it is written (decision 0046): together with the
    transaction's other queued records, in one statement, when the transaction commits, or before
    anything reads the log (`_reads_see_queued`). Inside a savepoint it is written at once, so that
    the savepoint's rollback takes it away. Its `seq` and `hash` are set when it is written.
    """
    if personal:
        if not subject:
            raise ValueError("personal data in the audit log needs the subject it is about")
        committed = commit_personal(session, record_key=idempotency_key, subject=subject, values=personal)
        details = {**(details or {}), "personal": committed}
    record = AuditRecord(
        idempotency_key=idempotency_key,
        at=at,
        agency_code=agency_code,
        nomination_id=nomination_id,
        actor=actor,
        action=action,
        reason=reason,
        outcome=outcome,
        details=details or {},
        prev_hash="",
        hash="",
    )
    sync = session.sync_session
    if sync.get_nested_transaction() is not None:
        await session.run_sync(_write, [record])
    else:
        _queue(sync).add(record)
    keys = transaction_memo(session, RECORDED)
    if keys:
        keys["keys"].add(idempotency_key)
    return record


class _Queued:
    """The records a transaction appended and has not written yet, in order."""

    def __init__(self) -> None:
        self.records: list[AuditRecord] = []
        self.keys: set[str] = set()
        self.nominations: set[str] = set()

    def add(self, record: AuditRecord) -> None:
        self.records.append(record)
        self.keys.add(record.idempotency_key)
        if record.nomination_id is not None:
            self.nominations.add(record.nomination_id)


QUEUE = "audit_queue"
SEEN = {"audit_queue_seen": True}  # a read that has counted the queued records itself


def _queued(sync: Session) -> _Queued | None:
    kept = sync.info.get(QUEUE)
    return kept[1] if kept is not None and kept[0] is sync.get_transaction() else None


def _queue(sync: Session) -> _Queued:
    queued = _queued(sync)
    if queued is None:
        queued = _Queued()
        sync.info[QUEUE] = (sync.get_transaction(), queued)
    return queued


def _write_queued(sync: Session) -> None:
    """Write the queued records (a transaction's, not inside one of its savepoints)."""
    queued = _queued(sync)
    if queued is None or not queued.records:
        return
    _refuse_in_savepoint(sync)
    records, queued.records = queued.records, []
    queued.keys.clear()
    queued.nominations.clear()
    _write(sync, records)


def _refuse_in_savepoint(sync: Session) -> None:
    if sync.get_nested_transaction() is not None:
        raise RuntimeError(
            "audit records were queued before this savepoint opened: write them first "
            "(await write_audit(session)), or the savepoint's records would take their place in the chain"
        )


def _write(sync: Session, records: list[AuditRecord]) -> None:
    """Chain the records after the head and insert them in one statement.

    Appends are serialised from here to the end of the transaction: on PostgreSQL by a
    transaction-scoped advisory lock (locking the head row is not enough: a waiter would re-read
    the same head after the holder commits), on SQLite by the write lock every transaction takes
    when it opens (`shared.platform.db.make_engine`). Taking it here, at the write and not at the
    first append, keeps it for the commit only. A record for an agency whose log here is closed is
    refused (AgencyLogClosed), inside that serialisation: none can slip in after the closing record.
    """
    queued = _queued(sync)
    if queued is not None and queued.records:
        _refuse_in_savepoint(sync)
    # What this transaction learned at its first write: once its appends are serialised, the head
    # is the last record it wrote, and an agency's log it found open stays open but for its own
    # closing record.
    known = transaction_memo(sync, "audit_append")
    if not known:
        if sync.get_bind().dialect.name == "postgresql":
            sync.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": APPEND_LOCK})
        last = select(AuditRecord).order_by(col(AuditRecord.seq).desc()).limit(1)
        known["head"] = sync.execute(last.execution_options(**SEEN)).scalars().first()
        known["open"] = set()
    unknown = {record.agency_code for record in records} - known["open"]
    if unknown:
        closed = sync.execute(_closings(unknown).limit(1).execution_options(**SEEN)).scalars().first()
        if closed is not None:
            raise AgencyLogClosed(closed)
        known["open"] |= unknown
    head: AuditRecord | None = known["head"]
    closings: dict[str, AuditRecord] = {}
    for record in records:
        if record.agency_code in closings:
            raise AgencyLogClosed(closings[record.agency_code])
        record.seq = (head.seq or 0) + 1 if head else 1
        record.prev_hash = head.hash if head else GENESIS
        record.hash = record_hash(record)
        if record.action == LOG_CLOSED:
            closings[record.agency_code] = record
            known["open"].discard(record.agency_code)
        head = record
    # Into the table, not through the ORM: every row has every column, so they go as one statement
    # (the ORM would leave out None values, and split the rows wherever their columns differ).
    table = AuditRecord.__table__  # type: ignore[attr-defined]
    rows = [{column.key: getattr(record, column.key) for column in table.columns} for record in records]
    sync.execute(table.insert(), rows)
    known["head"] = head


async def write_audit(session: AsyncSession) -> None:
    """Write the transaction's queued records now: before a savepoint opens."""
    await session.run_sync(_write_queued)


# The records are written at the latest when the transaction commits (not at a savepoint's release:
# `_write_queued` leaves them to the transaction, whose records they are).
@event.listens_for(Session, "before_commit")
def _write_at_commit(sync: Session) -> None:
    if sync.get_nested_transaction() is None:
        _write_queued(sync)


@event.listens_for(Session, "do_orm_execute")
def _reads_see_queued(state: ORMExecuteState) -> None:
    """A read of the log sees the transaction's own records: the queued ones are written first,
    unless the read counted them itself (`SEEN`) or is about one nomination (`audit_about`)
    that none of them is about."""
    if not state.is_select or state.execution_options.get("audit_queue_seen"):
        return
    queued = _queued(state.session)
    if queued is None or not queued.records:
        return
    about = state.execution_options.get("audit_about")
    if about is not None and about not in queued.nominations:
        return
    if any(table.name == "audit_record" for table in find_tables(state.statement)):  # type: ignore[arg-type]
        _write_queued(state.session)


RECORDED = "audit_keys"  # the idempotency keys recorded for the nominations a transaction acts on


async def prime_recorded(session: AsyncSession, nomination_ids: list[str]) -> None:
    """Read at once the idempotency keys of every record about these nominations, so that
    `recorded` answers for them from memory for the rest of the transaction (appends add theirs):
    a batch step checks each awardee's key, one statement instead of one per awardee."""
    wanted = set(nomination_ids)
    found = select(AuditRecord.idempotency_key).where(col(AuditRecord.nomination_id).in_(wanted))
    keys = transaction_memo(session, RECORDED)
    keys["nominations"] = wanted
    keys["keys"] = set((await session.exec(found.execution_options(**SEEN))).all())
    queued = _queued(session.sync_session)
    if queued is not None:
        keys["keys"] |= {record.idempotency_key for record in queued.records if record.nomination_id in wanted}


async def recorded(session: AsyncSession, key: str, nomination_id: str | None = None) -> bool:
    """Whether a record with this idempotency key exists: a retried act finds its own record and
    does nothing twice. For a nomination primed by `prime_recorded`, without a statement (its acts'
    records carry its id)."""
    keys = transaction_memo(session, RECORDED)
    if nomination_id is not None and nomination_id in keys.get("nominations", ()):
        return key in keys["keys"]
    queued = _queued(session.sync_session)
    if queued is not None and key in queued.keys:
        return True
    found = await session.exec(
        select(AuditRecord.seq).where(AuditRecord.idempotency_key == key).execution_options(**SEEN)
    )
    return found.first() is not None


def _closings(agency_codes: set[str]) -> Any:
    # The action written inline, not bound: only then may either database use the partial index.
    return select(AuditRecord).where(col(AuditRecord.agency_code).in_(agency_codes), text(f"action = '{LOG_CLOSED}'"))


async def closing_record(session: AsyncSession, agency_code: str) -> AuditRecord | None:
    """The record that closed the agency's log here, if a reorganization closed it."""
    return (await session.exec(_closings({agency_code}))).first()


async def verify_chain(session: AsyncSession) -> dict[str, Any]:
    """Recompute every link; report the first broken one, if any."""
    prev = GENESIS
    count = 0
    rows = await session.exec(select(AuditRecord).order_by(col(AuditRecord.seq)))
    for record in rows:
        count += 1
        if record.prev_hash != prev or record_hash(record) != record.hash:
            return {"valid": False, "records": count, "broken_at_seq": record.seq, "head": prev}
        prev = record.hash
    return {"valid": True, "records": count, "broken_at_seq": None, "head": prev}


async def audit_count(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(AuditRecord))).one()
