"""Re-routing a nomination after a reorganization, as the tier services see it.

`plan_transfer` runs at the proposer's service: it reads the registry replica as it stands on the
effective date (the plan already applied to it) and asks `shared.rerouting` where the nomination
goes. `record_transfer` runs at the old agency's service: its review is closed as transferred and
an audit record with the legal basis is written; the successor writes its own when the review opens.
"""

from datetime import date, datetime, timedelta

from sqlalchemy import or_
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.nominations.models import Review
from services.kit.nominations.service import fact_fields
from services.kit.registry.service import agency_on, registry_lookup
from shared.contracts.events import NominationTransferred
from shared.contracts.nomination import PlannedTransfer, PlanTransferArgs, RecordTransferArgs
from shared.platform.audit import append_audit
from shared.platform.outbox import add_event
from shared.rerouting import NeedsChoice, Successors, managing_agency, plan_move, touched
from shared.rules.catalog import default_catalog


async def successors_on(
    session: AsyncSession, effective: date, codes: set[str], choices: dict[str, str]
) -> tuple[Successors, set[str]]:
    """Which of `codes` no longer exist on `effective`, and what the registry says succeeded them."""
    retired: set[str] = set()
    of: dict[str, list[str]] = {}
    for code in codes:
        if await agency_on(session, code, effective) is not None:
            continue
        before = await agency_on(session, code, effective - timedelta(days=1))
        if before is None:
            continue
        retired.add(code)
        of[code] = list(before.successors or [])
    return Successors(of=of, ambiguous={}, choices=choices), retired


async def plan_transfer(session: AsyncSession, args: PlanTransferArgs) -> PlannedTransfer:
    n, step = args.nomination, args.step
    effective = date.fromisoformat(args.effective)
    current = n.route[step].agency_code
    successors, retired = await successors_on(session, effective, {s.agency_code for s in n.route}, args.choices)
    catalog = default_catalog()
    try:
        managing = managing_agency(n.route, successors, retired) if touched(n.route, step, retired) else current
        lookup = await registry_lookup(session, catalog, managing, effective)
        moved = plan_move(
            catalog,
            lookup,
            n.route,
            step,
            award_code=n.award_code,
            mode=n.mode,
            on=effective,
            successors=successors,
            retired=retired,
        )
    except NeedsChoice as err:
        return PlannedTransfer(
            False,
            n.route,
            current,
            current,
            "needs_choice",
            needs_choice=True,
            candidates=err.candidates,
            detail=str(err),
        )
    return PlannedTransfer(
        moved.changed,
        moved.route,
        moved.from_agency,
        moved.to_agency,
        moved.rule,
        detail="; ".join(moved.explanation) or None,
    )


async def record_transfer(session: AsyncSession, args: RecordTransferArgs) -> None:
    """At the old agency: close its review as transferred, audit it, tell everyone."""
    n = args.nomination
    at = datetime.fromisoformat(args.at)
    review = (
        await session.exec(
            select(Review).where(
                Review.nomination_id == n.nomination_id,
                Review.step == args.step,
                Review.visit == args.visit,
                Review.agency_code == args.from_agency,
                or_(Review.status == "pending", Review.status == "returned"),  # type: ignore[arg-type]
            )
        )
    ).first()
    route = [
        {"tier": s.tier, "agency_code": s.agency_code, "confers": s.confers, "role": s.role} for s in args.new_route
    ]
    if review is not None and args.same_agency:
        review.route = route  # only the queued steps changed; the review stays open here
        session.add(review)
    elif review is not None and args.pending:
        review.status, review.decided_at, review.decided_by = "transferred", at, "system"
        review.reason = f"{args.plan_code}: chuyển đến {args.to_agency} ({args.legal_basis})"
        session.add(review)
    await append_audit(
        session,
        idempotency_key=args.idempotency_key,
        at=at,
        agency_code=args.from_agency,
        nomination_id=n.nomination_id,
        actor="system",
        action="nomination.rerouted" if args.same_agency else "nomination.transferred_out",
        outcome="rerouted" if args.same_agency else "transferred",
        reason=args.legal_basis,
        details={
            "plan": args.plan_code,
            "to_agency": args.to_agency,
            "rule": args.rule,
            "step": args.step,
            "submitted_at": n.submitted_at,
            "regime": n.regime,
        },
    )
    add_event(
        session,
        NominationTransferred(
            **fact_fields(n, args.from_agency, args.step, "system", args.legal_basis),
            to_agency=args.to_agency,
            plan_code=args.plan_code,
            rule=args.rule,
            route=route,
        ),
        source_agency=args.from_agency,
        occurred_at=at,
        key=n.nomination_id,
    )
