"""Delegations (ủy quyền): an officer lends their deciding role to a colleague of the agency for a
period; its lender or an admin ends it early. Every refusal says which rule it broke, in English and
Vietnamese."""

import uuid
from collections.abc import Collection
from datetime import UTC, date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.days import require_day
from services.kit.delegations.schemas import DelegationOut, Status
from services.kit.errors import Conflict, Forbidden, Invalid, NotFound
from services.kit.identity.models import Delegation, Officer
from services.kit.identity.service import Caller, require
from shared.platform.audit import append_audit
from shared.rules.days import VALIDITY


def vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


async def delegations_of(session: AsyncSession, agency_code: str) -> list[Delegation]:
    """The agency's delegations, latest first: scheduled, active, ended and revoked."""
    rows = await session.exec(
        select(Delegation)
        .where(Delegation.agency_code == agency_code)
        .order_by(col(Delegation.starts_on).desc(), col(Delegation.created_at).desc())
    )
    return list(rows.all())


def delegation_status(delegation: Delegation, today: date) -> Status:
    if delegation.revoked_at is not None:
        return "revoked"
    if today < delegation.starts_on:
        return "scheduled"
    return "active" if today <= delegation.ends_on else "ended"


def delegation_out(delegation: Delegation, today: date) -> DelegationOut:
    return DelegationOut(**delegation.model_dump(), status=delegation_status(delegation, today))


async def create_delegation(
    session: AsyncSession,
    *,
    caller: Caller,
    to_officer_id: str,
    starts_on: date,
    ends_on: date,
    reason: str,
    today: date,
) -> Delegation:
    """Lend the caller's own deciding role; every refusal says exactly which rule it broke."""
    require(caller, "decide")
    if caller.on_behalf_of:
        raise Forbidden(
            f"you act as '{caller.role}' on behalf of {caller.on_behalf_of}: a lent role cannot be lent again",
            vi=f"bạn đang giữ vai trò '{caller.role}' do {caller.on_behalf_of} ủy quyền: không được ủy quyền lại",
        )
    if not reason.strip():
        raise Invalid(
            "say why you delegate (leave, mission, illness…)", vi="hãy ghi lý do ủy quyền (nghỉ phép, công tác…)"
        )
    if ends_on < starts_on:
        raise Invalid(
            f"the period ends (to={ends_on}) before it starts (from={starts_on})",
            vi=f"ngày kết thúc ({vn(ends_on)}) trước ngày bắt đầu ({vn(starts_on)})",
        )
    if ends_on < today:
        raise Invalid(
            f"the period ends on {ends_on}, before today ({today}): a delegation cannot cover only past days",
            vi=f"thời hạn kết thúc ngày {vn(ends_on)}, trước hôm nay ({vn(today)}): "
            "không ủy quyền cho những ngày đã qua",
        )
    require_day(starts_on, today, VALIDITY, field="from", field_vi="ngày bắt đầu ủy quyền")
    require_day(ends_on, today, VALIDITY, field="to", field_vi="ngày kết thúc ủy quyền")
    if to_officer_id == caller.officer_id:
        raise Invalid(
            f"you cannot delegate to yourself ({caller.officer_id})",
            vi=f"không thể ủy quyền cho chính mình ({caller.officer_id})",
        )
    delegate = await session.get(Officer, to_officer_id)
    if delegate is None:
        raise NotFound(f"no officer '{to_officer_id}'", vi=f"không có cán bộ '{to_officer_id}'")
    if delegate.agency_code != caller.agency_code:
        raise Invalid(
            f"officer {to_officer_id} belongs to {delegate.agency_code}, not "
            f"{caller.agency_code}: a delegation stays within one agency",
            vi=f"cán bộ {to_officer_id} thuộc {delegate.agency_code}, không thuộc {caller.agency_code}: "
            "chỉ ủy quyền trong cùng một cơ quan",
        )
    if not delegate.active:
        raise Invalid(
            f"officer {to_officer_id} is deactivated: delegate to an active officer",
            vi=f"cán bộ {to_officer_id} đã bị vô hiệu hóa: hãy ủy quyền cho cán bộ đang hoạt động",
        )
    clash = (
        await session.exec(
            select(Delegation)
            .where(
                Delegation.from_officer_id == caller.officer_id,
                col(Delegation.revoked_at).is_(None),
                Delegation.starts_on <= ends_on,
                Delegation.ends_on >= starts_on,
            )
            .order_by(col(Delegation.starts_on))
        )
    ).first()
    if clash is not None:
        raise Conflict(
            (
                f"you already delegate to {clash.to_officer_id} from {clash.starts_on} to {clash.ends_on} "
                f"(delegation {clash.id}), which overlaps {starts_on}..{ends_on}: revoke it or choose other dates"
            ),
            vi=f"bạn đã ủy quyền cho {clash.to_officer_id} từ {vn(clash.starts_on)} đến {vn(clash.ends_on)}, trùng với "
            f"{vn(starts_on)}–{vn(ends_on)}: hãy thu hồi ủy quyền đó hoặc chọn ngày khác",
        )
    now = datetime.now(UTC)
    delegation = Delegation(
        id=str(uuid.uuid4()),
        agency_code=caller.agency_code,
        from_officer_id=caller.officer_id,
        to_officer_id=to_officer_id,
        role=caller.role,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        created_at=now,
    )
    session.add(delegation)
    await append_audit(
        session,
        idempotency_key=f"delegation.created:{delegation.id}",
        at=now,
        agency_code=caller.agency_code,
        actor=caller.officer_id,
        action="delegation.created",
        outcome=delegation_status(delegation, today),
        reason=reason,
        details={
            "delegation_id": delegation.id,
            "to_officer_id": to_officer_id,
            "role": caller.role,
            "from": starts_on.isoformat(),
            "to": ends_on.isoformat(),
        },
    )
    return delegation


async def revoke_delegation(
    session: AsyncSession, *, caller: Caller, delegation_id: str, reason: str | None, today: date
) -> Delegation:
    """End a delegation early: its lender, or an admin of the agency in their own right, may."""
    delegation = await session.get(Delegation, delegation_id)
    if delegation is None or delegation.agency_code != caller.agency_code:
        raise NotFound(
            f"no delegation {delegation_id} at {caller.agency_code}",
            vi=f"không có ủy quyền {delegation_id} tại {caller.agency_code}",
        )
    is_admin = caller.role == "admin" and caller.on_behalf_of is None
    if caller.officer_id != delegation.from_officer_id and not is_admin:
        raise Forbidden(
            f"only {delegation.from_officer_id}, who made delegation "
            f"{delegation_id}, or an admin of {caller.agency_code} may revoke it",
            vi=f"chỉ {delegation.from_officer_id} (người ủy quyền) hoặc quản trị của {caller.agency_code} được thu hồi",
        )
    if caller.retired:
        raise Forbidden(caller.retired)
    if delegation.revoked_at is not None:
        raise Conflict(
            f"delegation {delegation_id} was already revoked "
            f"at {delegation.revoked_at.isoformat()} by {delegation.revoked_by}",
            vi=f"ủy quyền này đã bị {delegation.revoked_by} thu hồi",
        )
    if delegation.ends_on < today:
        raise Conflict(
            f"delegation {delegation_id} ended on {delegation.ends_on}: there is nothing left to revoke",
            vi=f"ủy quyền đã hết hạn ngày {vn(delegation.ends_on)}: không còn gì để thu hồi",
        )
    now = datetime.now(UTC)
    delegation.revoked_at, delegation.revoked_by, delegation.revoke_reason = now, caller.officer_id, reason
    session.add(delegation)
    await append_audit(
        session,
        idempotency_key=f"delegation.revoked:{delegation.id}",
        at=now,
        agency_code=caller.agency_code,
        actor=caller.officer_id,
        action="delegation.revoked",
        outcome="revoked",
        reason=reason,
        details={
            "delegation_id": delegation.id,
            "from_officer_id": delegation.from_officer_id,
            "to_officer_id": delegation.to_officer_id,
            "role": delegation.role,
        },
    )
    return delegation


async def substitute_for(
    session: AsyncSession, agency_code: str, role: str, on: date, *, exclude: Collection[str] = ()
) -> str | None:
    """Who can act in `role` at `agency_code` on `on` when its holder is late: the officer holding it by
    delegation that day, else an active officer with that role, else an active admin (each time the
    earliest delegation, then the smallest officer id, so the choice is deterministic and replays the same).
    `exclude` lets a caller that knows who is late skip them. None when the agency has nobody.
    """
    officers = {
        o.id: o
        for o in (await session.exec(select(Officer).where(Officer.agency_code == agency_code, Officer.active))).all()
    }
    delegations = (
        await session.exec(
            select(Delegation)
            .where(
                Delegation.agency_code == agency_code,
                Delegation.role == role,
                Delegation.starts_on <= on,
                Delegation.ends_on >= on,
                col(Delegation.revoked_at).is_(None),
            )
            .order_by(col(Delegation.starts_on), col(Delegation.created_at), col(Delegation.id))
        )
    ).all()
    for d in delegations:
        lender = officers.get(d.from_officer_id)
        lent_by_holder = lender is not None and lender.role == role
        if lent_by_holder and d.to_officer_id in officers and d.to_officer_id not in exclude:
            return d.to_officer_id
    for wanted in (role, "admin"):
        for officer_id in sorted(officers):
            if officers[officer_id].role == wanted and officer_id not in exclude:
                return officer_id
    return None
