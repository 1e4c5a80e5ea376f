"""What Temporal asks a tier to record of a nomination: its submission, a review opened at each
step, a level's decision, a withdrawal.

Each activity is one transaction (state row, audit record, outbox event) keyed by an idempotency
key, so that a retried activity finds its own earlier work and does nothing twice.
"""

from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import cast

import structlog
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity
from temporalio.exceptions import ApplicationError

from services.kit.activity import TierActivities
from services.kit.nominations.models import Nomination, Review
from services.kit.nominations.service import fact_fields
from shared.contracts.events import (
    AwardConferred,
    Event,
    NominationForwarded,
    NominationReceived,
    NominationRefused,
    NominationResubmitted,
    NominationReturned,
    NominationSubmitted,
    NominationWithdrawn,
)
from shared.contracts.nomination import (
    DECISION_STATUS,
    NominationInput,
    OpenReviewArgs,
    RecordDecisionArgs,
    RecordSubmissionArgs,
    RecordWithdrawalArgs,
)
from shared.platform.audit import append_audit
from shared.platform.outbox import add_event
from shared.rules.bonus import compute_bonus
from shared.rules.catalog import RecipientKind, default_catalog
from shared.text import fold

log = structlog.get_logger()


def _route(nomination: NominationInput) -> list[dict]:
    return [
        {"tier": s.tier, "agency_code": s.agency_code, "confers": s.confers, "role": s.role} for s in nomination.route
    ]


class NominationActivities(TierActivities):
    """Submission, a review opened at each step, decisions and withdrawal, as each tier records them."""

    @activity.defn
    async def record_submission(self, args: RecordSubmissionArgs) -> None:
        async with self._factory() as session, session.begin():
            await self.submission(session, args, datetime.now(UTC))
        self._on_commit()

    async def submission(self, session: AsyncSession, args: RecordSubmissionArgs, now: datetime) -> None:
        """The submission's rows in the caller's transaction (a batch records many in one)."""
        n = args.nomination
        with structlog.contextvars.bound_contextvars(
            nomination_id=n.nomination_id, workflow_id=args.workflow_id, agency=n.proposer_agency
        ):
            if await self.already_done(session, args.idempotency_key, n.nomination_id):
                return
            row = await session.get(Nomination, n.nomination_id)
            if row is not None:
                row.status = "in_review"
                row.submitted_at = row.submitted_at or now
                row.route = _route(n)
                session.add(row)
            action = "nomination.resubmitted" if args.resubmission else "nomination.submitted"
            await append_audit(
                session,
                idempotency_key=args.idempotency_key,
                at=now,
                agency_code=n.proposer_agency,
                nomination_id=n.nomination_id,
                actor=n.submitted_by,
                action=action,
                outcome="in_review",
                reason=args.reason,
                details={"award_code": n.award_code, "route": _route(n)},
            )
            common = fact_fields(n, n.proposer_agency, 0, n.submitted_by, args.reason)
            event: Event = (
                NominationResubmitted(**common)
                if args.resubmission
                else NominationSubmitted(
                    **common,
                    route=_route(n),
                    regime=n.regime or None,
                    mode=n.mode,
                    eligibility_outcome=(n.eligibility or {}).get("outcome"),
                )
            )
            add_event(session, event, source_agency=n.proposer_agency, occurred_at=now, key=n.nomination_id)
            log.info(action)

    @activity.defn
    async def open_review(self, args: OpenReviewArgs) -> None:
        async with self._factory() as session, session.begin():
            await self.review_opened(session, args, datetime.now(UTC))
        self._on_commit()

    async def review_opened(self, session: AsyncSession, args: OpenReviewArgs, now: datetime) -> Review | None:
        """The step's review row, audit record and event in the caller's transaction; the row, or
        None when an earlier attempt opened it."""
        n = args.nomination
        step = n.route[args.step]
        with structlog.contextvars.bound_contextvars(
            nomination_id=n.nomination_id, workflow_id=args.workflow_id, agency=step.agency_code
        ):
            if await self.already_done(session, args.idempotency_key, n.nomination_id):
                return None
            review = Review(
                nomination_id=n.nomination_id,
                workflow_id=args.workflow_id,
                agency_code=step.agency_code,
                step=args.step,
                visit=args.visit,
                award_code=n.award_code,
                nominee_name=n.nominee_name,
                nominee_search=fold(n.nominee_name),
                proposer_agency=n.proposer_agency,
                nominee_kind=n.nominee_kind,
                nominee_id=n.nominee_id,
                route=_route(n),
                opened_at=now,
                regime=n.regime or None,
                mode=n.mode,
                eligibility=n.eligibility,
                documents=[asdict(document) for document in n.documents],
                batch_no=n.batch_no,
            )
            session.add(review)
            arrived = args.transferred_from is not None
            await append_audit(
                session,
                idempotency_key=args.idempotency_key,
                at=now,
                agency_code=step.agency_code,
                nomination_id=n.nomination_id,
                actor="system",
                action="nomination.transferred_in" if arrived else "nomination.received",
                outcome="pending",
                reason=args.legal_basis if arrived else None,
                details={
                    "step": args.step,
                    "visit": args.visit,
                    **({"escalated_from": args.escalated_from} if args.escalated_from else {}),
                    **(
                        {
                            "from_agency": args.transferred_from,
                            "plan": args.plan_code,
                            "submitted_at": n.submitted_at,
                            "regime": n.regime,
                        }
                        if arrived
                        else {}
                    ),
                },
            )
            add_event(
                session,
                NominationReceived(**fact_fields(n, step.agency_code, args.step, "system")),
                source_agency=step.agency_code,
                occurred_at=now,
                key=n.nomination_id,
            )
            log.info("nomination.received", step=args.step)
            return review

    @activity.defn
    async def record_decision(self, args: RecordDecisionArgs) -> None:
        async with self._factory() as session, session.begin():
            await self.decision_recorded(session, args)
        self._on_commit()

    async def decision_recorded(
        self, session: AsyncSession, args: RecordDecisionArgs, reviews: dict[tuple[str, int, int], Review] | None = None
    ) -> None:
        """A level's decision on its pending review, in the caller's transaction. `reviews`: the
        reviews by (nomination, step, visit) when the caller read them for many at once."""
        n, d = args.nomination, args.decision
        now = datetime.fromisoformat(args.decided_at)
        with structlog.contextvars.bound_contextvars(
            nomination_id=n.nomination_id, workflow_id=args.workflow_id, agency=d.agency_code
        ):
            if await self.already_done(session, args.idempotency_key, n.nomination_id):
                return
            if reviews is None:
                reviews = await reviews_of(session, [(n.nomination_id, args.step, args.visit)])
            review = reviews.get((n.nomination_id, args.step, args.visit))
            if review is None or review.status != "pending":
                raise ApplicationError(
                    f"no pending review of {n.nomination_id} at step {args.step}",
                    non_retryable=True,
                )
            status = DECISION_STATUS[d.action]
            conferral = _conferral_details(args, now)  # the form conferred, signer, bonus: computed once
            review.status, review.decided_at = status, now
            review.decided_by, review.reason = d.officer_id, d.reason
            if d.action == "confer":
                day = date.fromisoformat(d.decided_on) if d.decided_on else now.date()
                review.decision_no, review.decided_on = d.decision_no, day
            session.add(review)
            await append_audit(
                session,
                idempotency_key=args.idempotency_key,
                at=now,
                agency_code=d.agency_code,
                nomination_id=n.nomination_id,
                actor=d.officer_id,
                action=f"decision.{d.action}",
                outcome=status,
                reason=d.reason,
                details={
                    "step": args.step,
                    "visit": args.visit,
                    "role": d.officer_role,
                    "next_agency": args.next_agency,
                    "decision_no": d.decision_no,
                    **({"on_behalf_of": d.on_behalf_of} if d.on_behalf_of else {}),
                    **({"missing_documents": args.missing_documents} if args.missing_documents else {}),
                    **({"documents": [doc.document_id for doc in d.documents]} if d.documents else {}),
                    **conferral,
                },
            )
            add_event(
                session,
                _decision_event(args, now, conferral),
                source_agency=d.agency_code,
                occurred_at=now,
                key=n.nomination_id,
            )
            log.info("nomination.decided", action=d.action, step=args.step)

    @activity.defn
    async def record_withdrawal(self, args: RecordWithdrawalArgs) -> None:
        """The proposer withdrew the nomination: close the review here, audit, and (proposer) announce."""
        n = args.nomination
        at = datetime.fromisoformat(args.at)
        async with self._factory() as session, session.begin():
            if await self.already_done(session, args.idempotency_key, n.nomination_id):
                return
            for review in (
                await session.exec(
                    select(Review).where(Review.nomination_id == n.nomination_id, Review.status == "pending")
                )
            ).all():
                review.status, review.decided_at, review.decided_by = "withdrawn", at, args.officer_id
                review.reason = args.reason
                session.add(review)
            await append_audit(
                session,
                idempotency_key=args.idempotency_key,
                at=at,
                agency_code=args.agency_code,
                nomination_id=n.nomination_id,
                actor=args.officer_id,
                action="nomination.withdrawn",
                outcome="withdrawn",
                reason=args.reason,
                details={"step": args.step, "visit": args.visit},
            )
            if args.announce:
                add_event(
                    session,
                    NominationWithdrawn(**fact_fields(n, args.agency_code, args.step, args.officer_id, args.reason)),
                    source_agency=args.agency_code,
                    occurred_at=at,
                    key=n.nomination_id,
                )
        self._on_commit()


def _decision_event(args: RecordDecisionArgs, now: datetime, conferral: dict) -> Event:
    n, d = args.nomination, args.decision
    common = fact_fields(n, d.agency_code, args.step, d.officer_id, d.reason)
    if d.action == "forward":
        return NominationForwarded(**common, to_agency=args.next_agency or "")
    if d.action == "return":
        return NominationReturned(**common, missing_documents=list(args.missing_documents))
    if d.action == "refuse":
        return NominationRefused(**common)
    return AwardConferred(
        **common,
        decision_no=d.decision_no or "",
        decided_on=d.decided_on or now.date().isoformat(),
        nominee_id=n.nominee_id,
        mode=n.mode,
        period_year=n.period_year,
        regime=n.regime or None,
        achievement=n.achievement,
        initiative_ids=list(n.initiative_ids),
        conferred_award_code=conferral.get("conferred_award_code"),
        signer=d.signer,
        bonus_coefficient=conferral.get("bonus_coefficient"),
        base_salary=conferral.get("base_salary"),
        bonus_amount=conferral.get("bonus_amount"),
        nominee_kind=n.nominee_kind,
        nominee_position=n.nominee_position,
        nominee_sex=n.nominee_sex,
        nominee_ethnicity=n.nominee_ethnicity,
    )


def _conferral_details(args: RecordDecisionArgs, now: datetime) -> dict:
    """The form actually conferred (possibly a lower one), its signer and the bonus on the decision date."""
    n, d = args.nomination, args.decision
    if d.action != "confer":
        return {}
    code = d.conferred_award_code or n.award_code
    decided_on = date.fromisoformat(d.decided_on) if d.decided_on else now.date()
    details: dict = {
        "conferred_award_code": code,
        "signer": d.signer,
        "decided_on": decided_on.isoformat(),
        "nominee_id": n.nominee_id,
    }
    try:
        bonus = compute_bonus(default_catalog(), code, cast(RecipientKind, n.nominee_kind), decided_on)
    except (LookupError, ValueError) as err:  # no coefficient for this recipient, or no salary row: say so
        details["bonus_note"] = str(err)
        return details
    return details | {
        "bonus_coefficient": bonus.coefficient,
        "base_salary": bonus.base_salary,
        "bonus_amount": bonus.amount,
    }


async def reviews_of(session: AsyncSession, wanted: list[tuple[str, int, int]]) -> dict[tuple[str, int, int], Review]:
    """The reviews of these (nomination, step, visit), in one statement."""
    rows = await session.exec(
        select(Review).where(col(Review.nomination_id).in_({nomination_id for nomination_id, _, _ in wanted}))
    )
    keys = set(wanted)
    return {key: r for r in rows.all() if (key := (r.nomination_id, r.step, r.visit)) in keys}
