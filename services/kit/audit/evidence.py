"""This service's part of a nomination's evidence bundle (`shared/platform/evidence.py`). Never commits."""

from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.errors import Conflict
from services.kit.identity.service import Caller
from services.kit.nominations.service import history
from shared.platform.audit import record_body
from shared.platform.checkpoints import AuditCheckpoint, AuditCosignature, LogBroken, leaf_hashes
from shared.platform.evidence import FORMAT, log_message
from shared.platform.merkle import inclusion_proof
from shared.platform.signing import Signer


async def cosigned_checkpoint(
    session: AsyncSession, origin: str, covering: int, *, first: bool = False
) -> AuditCheckpoint | None:
    """The latest (or with `first`, the first) checkpoint of ours that a witness cosigned and that
    holds record `covering`."""
    cosigned = select(AuditCosignature.size).where(AuditCosignature.origin == origin)
    size = col(AuditCheckpoint.size)
    statement = (
        select(AuditCheckpoint)
        .where(AuditCheckpoint.origin == origin, size >= covering)
        .where(size.in_(cosigned))
        .order_by(size if first else size.desc())
    )
    return (await session.exec(statement.limit(1))).first()


async def signed_and_cosigned(session: AsyncSession, checkpoint: AuditCheckpoint) -> dict[str, Any]:
    """A checkpoint as evidence carries it: its origin and key, the signed note, the witnesses'
    cosignatures (bundles and succession files alike)."""
    cosignatures = await session.exec(
        select(AuditCosignature)
        .where(AuditCosignature.origin == checkpoint.origin, AuditCosignature.size == checkpoint.size)
        .order_by(col(AuditCosignature.witness))
    )
    return {
        "origin": checkpoint.origin,
        "public_key": checkpoint.public_key,
        "checkpoint": {
            "size": checkpoint.size,
            "root": checkpoint.root,
            "time": checkpoint.time,
            "signature": checkpoint.signature,
        },
        "cosignatures": [
            {"witness": c.witness, "witness_key": c.witness_key, "cosigned_at": c.cosigned_at, "signature": c.signature}
            for c in cosignatures.all()
        ],
    }


async def export_evidence(
    session: AsyncSession, *, caller: Caller, nomination_id: str, signer: Signer, now: datetime
) -> dict[str, Any]:
    """The nomination's records here with their inclusion proofs in the latest cosigned checkpoint,
    its cosignatures and our public key, signed by this service; for agencies on its route."""
    records = await history(session, caller=caller, nomination_id=nomination_id)
    last = max((r.seq or 0 for r in records), default=0)
    checkpoint = await cosigned_checkpoint(session, signer.origin, max(last, 1))
    if checkpoint is None:
        raise Conflict(
            f"no checkpoint cosigned by another service holds this nomination's records at {signer.origin} yet; "
            "checkpoints are signed every few seconds and cosigned as the other services receive them: try again",
            vi=f"Chưa có điểm kiểm tra nào của {signer.origin} được cơ quan khác ký xác nhận có chứa các bản ghi "
            "của hồ sơ này; xin thử lại sau ít giây.",
        )
    try:
        leaves = (await leaf_hashes(session))[: checkpoint.size]
    except LogBroken as err:
        raise Conflict(f"this service's audit log is broken: {err}") from None
    log: dict[str, Any] = {
        "nomination_id": nomination_id,
        **await signed_and_cosigned(session, checkpoint),
        "records": [
            {
                **record_body(r),
                "hash": r.hash,
                "inclusion_proof": [h.hex() for h in inclusion_proof((r.seq or 0) - 1, leaves)],
            }
            for r in records
        ],
        "exported_at": now.isoformat(),
    }
    log["export_signature"] = signer.sign(log_message(log))
    return {"format": FORMAT, "nomination_id": nomination_id, "logs": [log]}
