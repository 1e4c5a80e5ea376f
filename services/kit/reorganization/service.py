"""What a tier service does for a reorganization: apply the plan to its registry replica (once),
find the nominations in flight it knows that the plan touches, and keep the per-item report."""

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.errors import Forbidden, Invalid, NotFound
from services.kit.identity.service import Caller, require
from services.kit.nominations.models import Nomination, Review
from services.kit.registry.models import Agency
from services.kit.registry.service import in_force, load_versions, registry_changed
from services.kit.reorganization.models import PlanApplication, TransferOutcome
from services.kit.reorganization.report import plain
from shared.contracts.events import HierarchyPlanApplied
from shared.contracts.nomination import RouteStep
from shared.contracts.reorganization import OutcomeRow
from shared.platform.audit import append_audit
from shared.platform.outbox import add_event
from shared.reorg.apply import Application, apply_plan
from shared.reorg.generate import plan_2025
from shared.reorg.loading import PLANS_DIR, load_plan
from shared.reorg.plan import Plan, PlanError
from shared.rerouting import NeedsChoice, Successors, plan_move
from shared.routing import AgencyNode
from shared.rules.catalog import default_catalog
from shared.rules.roles import Permission

IN_FLIGHT = ("pending", "returned")


def known_plans() -> dict[str, Callable[[], Plan]]:
    """Plans by code: the generated 2025 plan and the hand-written ones in shared/reorg/data/."""
    plans: dict[str, Callable[[], Plan]] = {"VN-2025-07-01": plan_2025}
    for path in sorted(PLANS_DIR.glob("*.yaml")):
        plan = load_plan(path)
        plans[plan.code] = lambda plan=plan: plan  # type: ignore[misc]
    return plans


def plan_by_code(code: str) -> Plan:
    plans = known_plans()
    if code not in plans:
        raise NotFound(f"unknown reorganization plan '{code}'; known: {sorted(plans)}")
    return plans[code]()


async def retired_codes(session: AsyncSession, effective: date) -> set[str]:
    """Codes whose last version ended the day before `effective` and that have none from it on."""
    ended = set((await session.exec(select(Agency.code).where(Agency.valid_to == effective - timedelta(days=1)))).all())
    alive = set((await session.exec(select(Agency.code).where(col(Agency.code).in_(ended), in_force(effective)))).all())
    return ended - alive


async def apply_to_replica(session: AsyncSession, plan_code: str, *, tier: str) -> dict[str, Any]:
    """Apply a plan to this replica once: close retired versions, open successors, move units."""
    done = (await session.exec(select(PlanApplication).where(PlanApplication.plan_code == plan_code))).first()
    if done is not None:
        return {**done.summary, "already_applied": True}
    plan = plan_by_code(plan_code)
    rows = (await session.exec(select(Agency))).all()
    snapshot = [r.model_dump(exclude={"id"}) for r in rows]
    application = apply_plan(snapshot, plan)
    registry_changed(session)
    for closed in application.closed:
        await session.execute(
            update(Agency)
            .where(Agency.code == closed.code, Agency.valid_from == closed.valid_from)  # type: ignore[arg-type]
            .values(valid_to=closed.valid_to, successors=list(closed.successors))
        )
    opened = await load_versions(session, [_row(v) for v in application.opened])
    now = datetime.now(UTC)
    summary: dict[str, Any] = {
        "closed": len(application.closed),
        "opened": opened,
        "moved_units": len(application.moved_units),
        "ambiguous": [plain(a) for a in application.ambiguous.values()],
    }
    session.add(PlanApplication(plan_code=plan_code, applied_at=now, summary=summary))
    await append_audit(
        session,
        idempotency_key=f"plan:{plan_code}:{tier}",
        at=now,
        agency_code=f"registry:{tier}",
        nomination_id=None,
        actor="system",
        action="hierarchy.plan_applied",
        outcome="applied",
        reason="; ".join(plan.legal_basis),
        details={
            "plan": plan_code,
            **{k: v for k, v in summary.items() if k != "ambiguous"},
            "ambiguous": len(summary["ambiguous"]),
        },
    )
    add_event(
        session,
        HierarchyPlanApplied(
            plan_code=plan_code,
            effective=plan.effective.isoformat(),
            tier=tier,
            closed=summary["closed"],
            opened=opened,
            moved_units=summary["moved_units"],
            ambiguous=len(summary["ambiguous"]),
            legal_basis=list(plan.legal_basis),
        ),
        source_agency=f"registry:{tier}",
        occurred_at=now,
        key=plan_code,
    )
    return summary


def _row(version: Any) -> dict[str, Any]:
    row = dict(version) if isinstance(version, dict) else asdict(version)
    row.setdefault("location_code", None)
    row["successors"] = list(row.get("successors") or [])
    return {
        k: row.get(k)
        for k in (
            "code",
            "name",
            "tier",
            "kind",
            "parent_code",
            "valid_from",
            "valid_to",
            "successors",
            "legal_basis",
            "location_code",
        )
    }


async def find_in_flight(session: AsyncSession, effective: date, after: str = "", limit: int = 0) -> list[str]:
    """Nominations this service knows to be in flight whose route touches a retired agency.

    Sorted by id; a page is the ids greater than `after`, at most `limit` of them (0: all)."""
    retired = await retired_codes(session, effective)
    if not retired:
        return []
    found: set[str] = set()
    reviews = await session.exec(select(Review.nomination_id, Review.route).where(col(Review.status).in_(IN_FLIGHT)))
    for nomination_id, route in reviews.all():
        if any(step["agency_code"] in retired for step in route):
            found.add(nomination_id)
    nominations = await session.exec(
        select(Nomination.id, Nomination.route).where(col(Nomination.status).in_(("in_review", "returned")))
    )
    for nomination_id, route in nominations.all():
        if any(step["agency_code"] in retired for step in route or []):
            found.add(nomination_id)
    page = sorted(i for i in found if i > after)
    return page[:limit] if limit else page


QUEUED = "queued"


async def queue_candidates(session: AsyncSession, plan_code: str, ids: list[str]) -> int:
    """Queue a page of candidates in the per-item report (once each); how many the plan has now.

    Several tiers know the same nomination (the proposer's dossier, the reviewing level's inbox):
    the report's (plan, nomination) key makes each one a single row, transferred once.
    """
    known = set(
        (
            await session.exec(
                select(TransferOutcome.nomination_id).where(
                    TransferOutcome.plan_code == plan_code, col(TransferOutcome.nomination_id).in_(ids)
                )
            )
        ).all()
    )
    now = datetime.now(UTC)
    for nomination_id in sorted(set(ids) - known):
        session.add(
            TransferOutcome(
                plan_code=plan_code, nomination_id=nomination_id, outcome=QUEUED, from_agency="", recorded_at=now
            )
        )
    await session.flush()
    return (
        await session.exec(
            select(func.count()).select_from(TransferOutcome).where(TransferOutcome.plan_code == plan_code)
        )
    ).one()


async def next_queued(session: AsyncSession, plan_code: str, after: str, limit: int) -> list[str]:
    rows = await session.exec(
        select(TransferOutcome.nomination_id)
        .where(
            TransferOutcome.plan_code == plan_code,
            TransferOutcome.outcome == QUEUED,
            TransferOutcome.nomination_id > after,
        )
        .order_by(col(TransferOutcome.nomination_id))
        .limit(limit)
    )
    return list(rows.all())


async def outcome_totals(session: AsyncSession, plan_code: str) -> dict[str, int]:
    """Per outcome, how many nominations the plan has re-routed so far (queued ones not counted)."""
    rows = await session.exec(
        select(TransferOutcome.outcome, func.count())
        .where(TransferOutcome.plan_code == plan_code, TransferOutcome.outcome != QUEUED)
        .group_by(TransferOutcome.outcome)
    )
    return {outcome: count for outcome, count in rows.all()}


async def record_outcomes(session: AsyncSession, plan_code: str, outcomes: list[OutcomeRow]) -> None:
    """Upsert the per-item report: a retried batch rewrites the same rows."""
    now = datetime.now(UTC)
    ids = [o.nomination_id for o in outcomes]
    existing = {
        row.nomination_id: row
        for row in (
            await session.exec(
                select(TransferOutcome).where(
                    TransferOutcome.plan_code == plan_code, col(TransferOutcome.nomination_id).in_(ids)
                )
            )
        ).all()
    }
    for o in outcomes:
        row = existing.get(o.nomination_id) or TransferOutcome(
            plan_code=plan_code,
            nomination_id=o.nomination_id,
            outcome=o.outcome,
            from_agency=o.from_agency,
            recorded_at=now,
        )
        row.outcome, row.from_agency, row.to_agency = o.outcome, o.from_agency, o.to_agency
        row.rule, row.detail, row.recorded_at = o.rule, o.detail, now
        session.add(row)


async def outcomes_of(session: AsyncSession, plan_code: str) -> list[TransferOutcome]:
    rows = await session.exec(
        select(TransferOutcome)
        .where(TransferOutcome.plan_code == plan_code)
        .order_by(col(TransferOutcome.nomination_id))
    )
    return list(rows.all())


async def preview_in_flight(session: AsyncSession, plan_code: str, effective: date) -> list[OutcomeRow]:
    """Dry run for the nominations pending at this tier's agencies: where each would go, and why.

    The plan is applied in memory to this replica (nothing is written), so any valid plan can be
    previewed before its effective date, with the same rules as the real transfer.
    """
    plan = plan_by_code(plan_code)
    snapshot = [r.model_dump(exclude={"id"}) for r in (await session.exec(select(Agency))).all()]
    application = apply_plan(snapshot, plan)
    after = application.updated(snapshot)
    now = _nodes(after, plan.effective)
    before = _nodes(after, plan.effective - timedelta(days=1))
    retired = {code for code in before if code not in now}
    successors = Successors(of={code: list(application.successors.get(code, ())) for code in retired}, ambiguous={})
    catalog = default_catalog()
    rows: list[OutcomeRow] = []
    reviews = await session.exec(select(Review).where(col(Review.status).in_(IN_FLIGHT)))
    for review in reviews.all():
        route = [RouteStep(**step) for step in review.route]
        if not any(step.agency_code in retired for step in route):
            continue  # the same nominations the real run finds (find_in_flight)
        rows.append(_preview_one(catalog, review, route, now, successors, retired, plan.effective))
    return rows


def _nodes(versions: list[dict[str, Any]], on: date) -> dict[str, AgencyNode]:
    return {
        v["code"]: AgencyNode(v["code"], v["name"], v["tier"], v["kind"], v["parent_code"])
        for v in versions
        if v["valid_from"] <= on and (v["valid_to"] is None or on <= v["valid_to"])
    }


def _preview_one(
    catalog,
    review: Review,
    route: list[RouteStep],
    now: dict[str, AgencyNode],
    successors: Successors,
    retired: set[str],
    effective: date,
) -> OutcomeRow:
    current = route[review.step].agency_code
    try:
        moved = plan_move(
            catalog,
            now.get,
            route,
            review.step,
            award_code=review.award_code,
            mode=review.mode or "cong_trang",
            on=effective,
            successors=successors,
            retired=retired,
        )
    except NeedsChoice as err:
        return OutcomeRow(review.nomination_id, "would_need_choice", current, None, "needs_choice", str(err))
    if not moved.changed:
        outcome = "would_stay"
    else:
        outcome = "would_reroute" if moved.to_agency == current else "would_transfer"
    return OutcomeRow(
        review.nomination_id, outcome, current, moved.to_agency, moved.rule, "; ".join(moved.explanation) or None
    )


async def checked_plan(session: AsyncSession, code: str) -> tuple[Plan, Application]:
    """The plan and what applying it to this replica would do; an invalid plan is refused (422)."""
    plan = plan_by_code(code)
    snapshot = [r.model_dump(exclude={"id"}) for r in (await session.exec(select(Agency))).all()]
    try:
        return plan, apply_plan(snapshot, plan)
    except PlanError as err:
        raise Invalid(f"plan {code} is invalid: {err}") from None


async def dry_run_report(session: AsyncSession, code: str, plan: Plan, application: Application) -> dict[str, Any]:
    """What the plan would change here; `nominations` is filled by the preview workflow."""
    return {
        "plan": code,
        "effective": plan.effective.isoformat(),
        "operations": len(plan.operations),
        "closed": len(application.closed),
        "opened": len(application.opened),
        "moved_units": [plain(m) for m in application.moved_units.values()],
        "ambiguous": [plain(a) for a in application.ambiguous.values()],
        "nominations_in_flight_here": await find_in_flight(session, plan.effective),
        "nominations": [],
    }


async def preview_rows(session: AsyncSession, preview_key: str) -> list[dict[str, Any]]:
    """A finished dry run's per-nomination rows, for the report's `nominations`."""
    return [r.model_dump(exclude={"id", "plan_code", "recorded_at"}) for r in await outcomes_of(session, preview_key)]


def central_board() -> tuple[str, ...]:
    """The agencies of the Central Emulation and Commendation Board: the only ones that preview and
    apply reorganization plans."""
    return tuple(default_catalog().authorities["central_board"].agency_codes)


def require_central_board(caller: Caller, permission: Permission) -> None:
    """Reorganization plans are the Central Board's (Ban TĐKT Trung ương) to preview and apply: they
    move every agency's nominations, which no other agency may see or move."""
    require(caller, permission, acting=permission != "preview_reorganization")
    board = central_board()
    if caller.agency_code not in board:
        raise Forbidden(
            f"only the Central Emulation and Commendation Board ({', '.join(board)}) previews and applies "
            f"reorganization plans; {caller.agency_code} cannot",
            vi=f"chỉ Ban Thi đua - Khen thưởng Trung ương ({', '.join(board)}) được chạy thử và áp dụng kế hoạch "
            f"sắp xếp; {caller.agency_code} không được",
        )
