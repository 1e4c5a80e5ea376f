"""The lifecycle activities of a review step: intake, the step's clock, reminders, expiry, holds.

The NominationWorkflow owns time (its timers fire reminders and expiries); the tier that holds
the review owns the rules and the records: which level it is, what the dossier must contain,
how many working days the step has, what happens at expiry. Each activity is one transaction
(review row, audit record, outbox event) keyed by an idempotency key, like `activities.py`.

Workflow time is mapped to the tier's business date by `business_now`: the real clock by default,
a fixed date on a demo system (`BUSINESS_DATE`), or a shifted clock in time-skipping tests.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

import structlog
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity

from services.kit.activity import TierActivities
from services.kit.delegations.service import substitute_for
from services.kit.identity.models import Officer
from services.kit.nominations.models import Review
from services.kit.nominations.service import fact_fields
from services.kit.registry.models import Agency
from services.kit.registry.service import agency_on
from shared.contracts.events import (
    DeadlineReminder,
    DeadlineSet,
    Event,
    NominationEscalated,
    NominationHeld,
    NominationReleased,
)
from shared.contracts.nomination import (
    Clock,
    ClockArgs,
    ClockEventArgs,
    ClockEventResult,
    IntakeArgs,
    IntakeResult,
    NominationInput,
)
from shared.platform.audit import append_audit
from shared.platform.outbox import add_event
from shared.rules.calendar import VIETNAM, WorkingCalendar, default_calendar
from shared.rules.catalog import Catalog, default_catalog
from shared.rules.deadlines import DeadlineTable, default_deadlines
from shared.rules.dossier import describe_missing, missing_documents, required_documents

log = structlog.get_logger()

# Central-tier bodies by role in the route: the board appraises and submits to the Prime Minister.
STEP_KIND_BY_LEVEL = {"central_board": "submit_to_pm"}


def real_clock(business_date: date | None = None) -> Callable[[datetime], datetime]:
    """Workflow time → business time: itself, or the same time of day on a fixed business date."""

    def business_now(now: datetime) -> datetime:
        local = now.astimezone(VIETNAM)
        if business_date is None:
            return local
        return datetime.combine(business_date, local.timetz())

    return business_now


def end_of_day(day: date) -> datetime:
    """A deadline or reminder date is used up at the end of that day, Vietnam time."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), VIETNAM)


class LifecycleActivities(TierActivities):
    """Intake, the step's clock, reminders, expiry under the step's policy, holds."""

    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        on_commit: Callable[[], None],
        tier: str,
        *,
        business_now: Callable[[datetime], datetime] | None = None,
        deadlines: DeadlineTable | None = None,
        catalog: Catalog | None = None,
        calendar: WorkingCalendar | None = None,
    ) -> None:
        super().__init__(factory, on_commit, tier)
        self._business_now = business_now or real_clock()
        self._deadlines = deadlines or default_deadlines()
        self._catalog = catalog or default_catalog()
        self._calendar = calendar or default_calendar()

    async def _level(self, session: AsyncSession, agency_code: str, on: date) -> str | None:
        agency = await agency_on(session, agency_code, on)
        if agency is None:
            agency = (await session.exec(select(Agency).where(Agency.code == agency_code))).first()
        authority = self._catalog.authority_of_agency(agency.code, agency.kind) if agency else None
        return self._deadlines.levels.get(authority.code) if authority else None

    async def _review(self, session: AsyncSession, n: NominationInput, step: int, visit: int) -> Review | None:
        return (
            await session.exec(
                select(Review).where(
                    Review.nomination_id == n.nomination_id, Review.step == step, Review.visit == visit
                )
            )
        ).first()

    @activity.defn
    async def check_intake(self, args: IntakeArgs) -> IntakeResult:
        """The receiving agency checks the dossier's manifest against what the award requires."""
        async with self._factory() as session:
            return await self.intake_of(session, args, datetime.now(UTC))

    async def intake_of(self, session: AsyncSession, args: IntakeArgs, now: datetime) -> IntakeResult:
        n = args.nomination
        level = await self._level(session, n.route[args.step].agency_code, self._business_now(now).date())
        required = required_documents(self._catalog, n.award_code, level or "unit")
        missing = missing_documents(required, n.documents)
        return IntakeResult(level or "", required, missing, describe_missing(missing) if missing else None)

    @activity.defn
    async def start_clock(self, args: ClockArgs) -> Clock:
        """Start (or, after a hold, restart) the step's clock; record the deadline on the review."""
        async with self._factory() as session, session.begin():
            clock, recorded = await self.clock_started(session, args)
        if recorded:
            self._on_commit()
        return clock

    async def clock_started(
        self, session: AsyncSession, args: ClockArgs, review: Review | None = None
    ) -> tuple[Clock, bool]:
        """The step's clock, and whether its records were written now, in the caller's transaction.
        `review`: the step's review row when the caller has it (it opened it in this transaction),
        else it is read; not reading it also keeps the transaction's inserts together."""
        n = args.nomination
        step = n.route[args.step]
        now = datetime.fromisoformat(args.now)
        business = self._business_now(now)
        today = business.date()
        level = await self._level(session, step.agency_code, today)
        rule = None
        if level is not None:
            kind = STEP_KIND_BY_LEVEL.get(level, "appraisal")
            try:
                rule = self._deadlines.deadline_for(level, kind)  # type: ignore[arg-type]
            except LookupError:
                rule = None
        if rule is None:
            return Clock(has_deadline=False, level=level or ""), False
        due = rule.due(today, self._calendar)
        points = rule.reminder_dates(today, self._calendar)
        clock = Clock(
            has_deadline=True,
            level=level or "",
            step_kind=rule.step,
            working_days=rule.working_days,
            starts_on=today.isoformat(),
            due_on=due.isoformat(),
            on_expiry=rule.on_expiry,
            reminder_shares=list(rule.reminders),
            reminder_dates=[p.isoformat() for p in points],
            reminder_after=[(end_of_day(p) - business).total_seconds() for p in points],
            expires_after=(end_of_day(due) - business).total_seconds(),
        )
        key = f"{args.workflow_id}:{args.step}:{args.visit}:clock:{args.restart}"
        if await self.already_done(session, key, n.nomination_id):
            return clock, False
        if review is None:
            review = await self._review(session, n, args.step, args.visit)
        if review is not None:
            review.due_on, review.held = due, False
            session.add(review)
        reason = f"{rule.working_days} ngày làm việc từ {today:%d/%m/%Y}, hạn {due:%d/%m/%Y}" + (
            " (tính lại sau khi hết tạm dừng)" if args.restart else ""
        )
        await append_audit(
            session,
            idempotency_key=key,
            at=now,
            agency_code=step.agency_code,
            nomination_id=n.nomination_id,
            actor="system",
            action="deadline.set",
            outcome="pending",
            reason=reason,
            details={
                "step": args.step,
                "visit": args.visit,
                "level": level,
                "step_kind": rule.step,
                "due_on": due.isoformat(),
                "reminders": clock.reminder_dates,
                "on_expiry": rule.on_expiry,
                "citation": rule.citation.instrument,
                "restart": args.restart,
            },
        )
        add_event(
            session,
            DeadlineSet(
                **fact_fields(n, step.agency_code, args.step, "system", reason),
                level=level or "",
                step_kind=rule.step,
                working_days=rule.working_days,
                starts_on=today.isoformat(),
                due_on=due.isoformat(),
                reminders=clock.reminder_dates,
                on_expiry=rule.on_expiry,
            ),
            source_agency=step.agency_code,
            occurred_at=now,
            key=n.nomination_id,
        )
        return clock, True

    @activity.defn
    async def record_clock_event(self, args: ClockEventArgs) -> ClockEventResult:
        """A reminder, an expiry under its policy, or a hold or release, at the agency holding the step."""
        n = args.nomination
        now = datetime.fromisoformat(args.now)
        result = ClockEventResult()
        async with self._factory() as session, session.begin():
            if await self.already_done(session, args.idempotency_key):
                review = await self._review(session, n, args.step, args.visit)
                return ClockEventResult(review.assigned_to if review else None)
            review = await self._review(session, n, args.step, args.visit)
            common = fact_fields(n, args.agency_code, args.step, args.officer_id, args.reason)
            details: dict = {"step": args.step, "visit": args.visit}
            event: Event
            if args.kind == "reminder":
                event = DeadlineReminder(**common, due_on=args.due_on, share_used=args.share_used)
                action, outcome = "deadline.reminded", "pending"
                details |= {"due_on": args.due_on, "share_used": args.share_used}
            elif args.kind == "expiry":
                action, outcome = "deadline.expired", args.policy
                to_officer = None
                if args.policy == "reassign_substitute":
                    # The head let the deadline pass: a substitute is someone other than the chairs.
                    chairs = (
                        await session.exec(
                            select(Officer.id).where(Officer.agency_code == args.agency_code, Officer.role == "chair")
                        )
                    ).all()
                    to_officer = await substitute_for(
                        session, args.agency_code, "chair", self._business_now(now).date(), exclude=set(chairs)
                    )
                    if review is not None:
                        review.assigned_to = to_officer
                if review is not None:
                    review.escalated = args.policy
                    if args.policy == "escalate_next_level":
                        review.status, review.decided_at, review.decided_by = "escalated", now, "system"
                        review.reason = f"Chuyển lên cấp trên do quá hạn {args.due_on}"
                    session.add(review)
                result.to_officer = to_officer
                event = NominationEscalated(
                    **common, due_on=args.due_on, policy=args.policy, to_agency=args.next_agency, to_officer=to_officer
                )
                details |= {
                    "due_on": args.due_on,
                    "policy": args.policy,
                    "next_agency": args.next_agency,
                    "to_officer": to_officer,
                }
            elif args.kind in ("hold", "release"):
                held = args.kind == "hold"
                if review is not None:
                    review.held = held
                    session.add(review)
                event = NominationHeld(**common) if held else NominationReleased(**common)
                action, outcome = f"nomination.{'held' if held else 'released'}", "on_hold" if held else "pending"
            else:
                raise ValueError(f"unknown clock event '{args.kind}'")
            await append_audit(
                session,
                idempotency_key=args.idempotency_key,
                at=now,
                agency_code=args.agency_code,
                nomination_id=n.nomination_id,
                actor=args.officer_id,
                action=action,
                outcome=outcome,
                reason=args.reason,
                details=details,
            )
            add_event(session, event, source_agency=args.agency_code, occurred_at=now, key=n.nomination_id)
        self._on_commit()
        log.info(f"nomination.clock.{args.kind}", nomination_id=n.nomination_id, step=args.step, policy=args.policy)
        return result
