"""Registering grassroots bodies under the hierarchy, one at a time or a file at once (decision 0015).

Each body is checked against this replica (`checks.py`), then written as a registry row, an audit
record and a `hierarchy.agency_registered` event, in the caller's transaction: a file is applied
whole or not at all. Every service adds the event's version to its own replica (`learn_agency`).
Functions never commit.
"""

from datetime import UTC, date, datetime
from typing import Any

import structlog
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.bodies.checks import Checker
from services.kit.bodies.sheets import body_of, read_sheet
from services.kit.errors import Conflict, DomainError, Forbidden, Invalid
from services.kit.identity.service import Caller
from services.kit.registry.models import Agency
from services.kit.registry.service import in_force, registry_changed
from shared.contracts.events import AgencyRegistered
from shared.hierarchy.bodies import KINDS, Body, Problem
from shared.platform.audit import append_audit
from shared.platform.outbox import add_event

log = structlog.get_logger()
DEPTH = 6  # province, commune, sở, school…: deeper than any registration goes


def refusal(problems: list[Problem]) -> DomainError:
    """One registration's problems as one answer: who may not act first, then a taken code."""
    for kind, error in (("forbidden", Forbidden), ("conflict", Conflict)):
        chosen = [p for p in problems if p.kind == kind]
        if chosen:
            return error("; ".join(map(str, chosen)), vi="; ".join(p.vi for p in chosen))
    return Invalid("; ".join(map(str, problems)), vi="; ".join(p.vi for p in problems))


async def register_agency(session: AsyncSession, *, caller: Caller, body: Body, today: date) -> Agency:
    """Register one body the caller's agency (or one below it) manages."""
    problems = await Checker(session, caller=caller, today=today).check(body)
    if problems:
        raise refusal(problems)
    return await record_registration(session, body, caller=caller, now=datetime.now(UTC))


async def import_agencies(
    session: AsyncSession, *, caller: Caller, filename: str, content: bytes, dry_run: bool, today: date
) -> dict[str, Any]:
    """Check every row of the file and, unless it is a dry run, register them all; a report line per
    row. One invalid row and nothing is registered: the report comes back as the refusal."""
    sheet = read_sheet(filename, content)
    checker = Checker(session, caller=caller, today=today)
    await checker.preload(fields.get("code", "").upper() for _, fields in sheet.rows)
    lines = []
    for number, fields in sheet.rows:
        body, problems = body_of(fields, today)
        if body is not None:
            problems = await checker.check(body, row=number)
        lines.append(
            {
                "row": number,
                "code": fields.get("code", "").upper(),
                "ok": not problems,
                "errors": [p.as_dict() for p in problems],
            }
        )
    invalid = sum(not line["ok"] for line in lines)
    report: dict[str, Any] = {
        "filename": filename,
        "format": sheet.format,
        "dry_run": dry_run,
        "rows": len(lines),
        "valid": len(lines) - invalid,
        "invalid": invalid,
        "applied": False,
        "lines": lines,
    }
    if invalid and not dry_run:
        raise Invalid(
            {
                "message": f"{invalid} of {len(lines)} rows are invalid: nothing was registered; correct them and "
                f"import the whole file again ({invalid}/{len(lines)} dòng không hợp lệ: chưa đăng ký đơn vị nào)",
                **report,
            }
        )
    if not dry_run:
        now = datetime.now(UTC)
        for accepted in checker.accepted.values():
            await record_registration(session, accepted.body, caller=caller, now=now, row=accepted.row, file=filename)
        report["applied"] = True
    return report


async def bodies_under(session: AsyncSession, agency_code: str, on: date) -> list[Agency]:
    """The registered bodies (schools, sở, enterprises…) in force on `on` anywhere under the agency,
    nearest first, then by code: one query per level of the tree."""
    found: list[Agency] = []
    frontier, seen = [agency_code], {agency_code}
    for _ in range(DEPTH):
        rows = (
            await session.exec(
                select(Agency).where(col(Agency.parent_code).in_(frontier), in_force(on)).order_by(col(Agency.code))
            )
        ).all()
        children = [row for row in rows if row.code not in seen]
        found += [row for row in children if row.kind in KINDS]
        frontier = [row.code for row in children]
        seen.update(frontier)
        if not frontier:
            break
    return found


async def record_registration(
    session: AsyncSession, body: Body, *, caller: Caller, now: datetime, row: int | None = None, file: str | None = None
) -> Agency:
    """The registry row, its audit record and the event every service applies."""
    agency = Agency(**body.row())
    session.add(agency)
    registry_changed(session)
    source = {"file": file, "row": row} if file else {}
    await append_audit(
        session,
        idempotency_key=f"agency-registered:{body.code}:{body.valid_from.isoformat()}",
        at=now,
        agency_code=caller.agency_code,
        actor=caller.officer_id,
        action="registry.agency_registered",
        outcome="registered",
        details={**event_of(body, caller).model_dump(exclude={"agency_code", "actor"}), **source},
    )
    add_event(session, event_of(body, caller), source_agency=caller.agency_code, occurred_at=now, key=body.code)
    log.info("registry.agency_registered", code=body.code, parent_code=body.parent_code, by=caller.officer_id)
    return agency


def event_of(body: Body, caller: Caller) -> AgencyRegistered:
    return AgencyRegistered(
        code=body.code,
        name=body.name,
        kind=body.kind,
        tier=body.tier,
        parent_code=body.parent_code,
        valid_from=body.valid_from.isoformat(),
        location_code=body.location_code,
        legal_basis=body.legal_basis,
        agency_code=caller.agency_code,
        actor=caller.officer_id,
    )


async def learn_agency(session: AsyncSession, event: AgencyRegistered, *, at: datetime, event_id: str) -> bool:
    """Add another service's registration to this replica; whether anything was added.

    Idempotent: the registering service, or a redelivery, finds the version already here. The parent
    is not required to be here yet: a file's bodies are keyed by their own codes, so a school may
    arrive before the sở above it. A code another registration took here first is kept, and the
    clash is logged for a person to resolve (two admins registering one code at two services
    within the same moment).
    """
    body = Body(
        code=event.code,
        name=event.name,
        kind=event.kind,
        tier=event.tier,
        parent_code=event.parent_code,
        valid_from=date.fromisoformat(event.valid_from),
        location_code=event.location_code,
        legal_basis=event.legal_basis,
    )
    versions = (await session.exec(select(Agency).where(Agency.code == body.code))).all()
    if any(v.valid_from == body.valid_from for v in versions):
        return False
    if versions:
        log.warning(
            "registry.registration_clash", code=body.code, kept=versions[0].name, refused=body.name, event_id=event_id
        )
        return False
    session.add(Agency(**body.row()))
    registry_changed(session)
    await append_audit(
        session,
        idempotency_key=f"agency-registered:{body.code}:{event.valid_from}",
        at=at,
        agency_code=event.agency_code,
        actor=event.actor,
        action="registry.agency_registered",
        outcome="replicated",
        details={**event.model_dump(exclude={"agency_code", "actor"}), "event_id": event_id},
    )
    return True
