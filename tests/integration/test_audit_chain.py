"""The audit chain verifies, and any edit of a stored record is detected."""

from datetime import UTC, datetime

from sqlalchemy import text

from shared.audit import append_audit, verify_chain
from shared.db import transaction


async def test_chain_verifies_and_detects_tampering(sessions):
    async with transaction(sessions) as session:
        for i in range(3):
            await append_audit(session, idempotency_key=f"k{i}", at=datetime.now(UTC), agency_code="P91",
                               actor="P91:chair", action="decision.forward", outcome="forwarded",
                               nomination_id="n1", reason="Đủ điều kiện", details={"step": i})
    async with transaction(sessions) as session:
        assert await verify_chain(session) == {
            "valid": True, "records": 3, "broken_at_seq": None, "head": (await verify_chain(session))["head"]}
        await session.execute(text("update audit_record set reason = 'Không đủ' where seq = 2"))
    async with transaction(sessions) as session:
        report = await verify_chain(session)
    assert report["valid"] is False and report["broken_at_seq"] == 2
