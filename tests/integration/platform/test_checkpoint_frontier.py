"""A checkpoint is signed from the last one's frontier and the records since (decision 0045): the
same tree as from the whole log, without reading it; the whole log is still judged when asked."""

import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from services.kit.audit.witness import judge, signer_of
from shared.contracts.audit import AuditCheckpointSigned
from shared.contracts.tiers import Tier
from shared.platform.audit import append_audit
from shared.platform.checkpoints import AuditCheckpoint, AuditCosignature, LogBroken, leaf_hashes, sign_checkpoint
from shared.platform.db import transaction
from shared.platform.merkle import tree_root, verify_consistency
from shared.platform.settings import ServiceSettings
from tests.helpers import statements, those

SIGNER = signer_of(ServiceSettings(tier=Tier.CENTRAL, audit_signing_key="44" * 32, database_url="sqlite://"))


async def grow(sessions, count: int) -> None:  # type: ignore[no-untyped-def]
    async with transaction(sessions) as session:
        for _ in range(count):
            await append_audit(
                session, idempotency_key=str(uuid.uuid4()), at=datetime.now(UTC), agency_code="TW-BTDKT",
                actor="TW-BTDKT:chair", action="decision.forward", outcome="forwarded",
            )  # fmt: skip


async def sign(sessions, *, whole: bool = False):  # type: ignore[no-untyped-def]
    async with transaction(sessions) as session:
        return await sign_checkpoint(session, signer=SIGNER, now=datetime.now(UTC), whole=whole)


async def test_the_next_checkpoint_reads_only_the_records_since_and_is_the_whole_log_s_tree(sessions):
    await grow(sessions, 37)
    first = await sign(sessions)
    assert first is not None and first.size == 37
    await grow(sessions, 5)
    with statements(sessions) as sent:
        second = await sign(sessions)
    assert second is not None and second.size == 42
    # No statement reads the whole log: every read of records is bounded by a sequence number.
    reads = [s for s in those(sent, "SELECT", "FROM audit_record") if "max(" not in s.lower()]
    assert reads and all("audit_record.seq >" in s or "audit_record.seq =" in s for s in reads), reads
    async with transaction(sessions) as session:
        leaves = await leaf_hashes(session)
    assert second.root == tree_root(leaves).hex()
    proof = [bytes.fromhex(h) for h in second.consistency]
    assert verify_consistency(37, 42, bytes.fromhex(first.root), bytes.fromhex(second.root), proof)
    assert await sign(sessions) is None  # nothing new: nothing signed


async def test_an_older_record_altered_is_found_when_the_whole_log_is_judged(sessions):
    await grow(sessions, 6)
    assert await sign(sessions) is not None
    async with transaction(sessions) as session:
        await session.exec(text("update audit_record set hash = :h where seq = 3").bindparams(h="ab" * 32))  # type: ignore[call-overload]
    await grow(sessions, 2)
    with pytest.raises(LogBroken, match="differ from its signed checkpoint"):
        await sign(sessions, whole=True)


async def test_a_kept_frontier_that_does_not_give_its_checkpoint_s_root_is_refused(sessions):
    await grow(sessions, 6)
    assert await sign(sessions) is not None
    async with transaction(sessions) as session:
        row = (await session.exec(text("select id, frontier from audit_checkpoint"))).one()  # type: ignore[call-overload]
        stored = await session.get(AuditCheckpoint, row.id)
        assert stored is not None and len(stored.frontier or []) == 2  # 6 = 4 + 2
        stored.frontier = ["00" * 32, "11" * 32]
        session.add(stored)
    await grow(sessions, 1)
    with pytest.raises(LogBroken, match="frontier"):
        await sign(sessions)


async def test_a_checkpoint_carries_a_proof_from_what_each_witness_cosigned_last(sessions):
    """A witness cosigned the checkpoint of size 2 and missed that of size 4: the next checkpoint
    carries, besides its proof from 4, one from 2 (from that checkpoint's frontier), which the
    witness can check."""

    async def grow_and_sign(count: int) -> AuditCheckpointSigned:
        await grow(sessions, count)
        event = await sign(sessions)
        assert event is not None
        return event

    first = await grow_and_sign(2)
    async with transaction(sessions) as session:
        session.add(AuditCosignature(
            origin=first.origin, size=first.size, root=first.root, witness="tdkt/province",
            witness_key="00" * 32, cosigned_at=datetime.now(UTC).isoformat(), signature="00" * 64,
        ))  # fmt: skip
    second = await grow_and_sign(2)  # the province's service never sees this one
    third = await grow_and_sign(1)
    assert (third.previous_size, [p.size for p in third.also_from]) == (second.size, [first.size])
    saw = AuditCheckpoint(**first.model_dump(include={"origin", "size", "root", "time", "public_key", "signature"}))
    assert judge(third, saw, None) == "cosign"
    assert "not an extension" in judge(third.model_copy(update={"also_from": []}), saw, None)
