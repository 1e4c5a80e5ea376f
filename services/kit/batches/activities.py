"""What the BatchWorkflow asks a tier to record for many awardees at once (decision 0042).

Each activity is ONE transaction over all its awardees, running for each the very code a single
nomination's activity runs (`NominationActivities`, `LifecycleActivities`), with each awardee's own
idempotency keys: the rows, audit records and events are those of a single nomination, written
many at a time, and a retried activity finds each awardee's earlier work and does nothing twice.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity

from services.kit.activity import TierActivities
from services.kit.deadlines.activities import LifecycleActivities
from services.kit.nominations.activities import NominationActivities, reviews_of
from services.kit.nominations.models import Nomination
from shared.contracts.batch import OpenStepArgs, RecordDecisionsArgs, RecordSubmissionsArgs, StepOpened
from shared.contracts.intake import intake_return
from shared.contracts.nomination import ClockArgs, IntakeArgs
from shared.platform.audit import prime_recorded


class BatchStepActivities(TierActivities):
    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        on_commit: Callable[[], None],
        tier: str,
        nominations: NominationActivities,
        lifecycle: LifecycleActivities,
    ) -> None:
        super().__init__(factory, on_commit, tier)
        self._nominations, self._lifecycle = nominations, lifecycle

    @activity.defn
    async def record_submissions(self, args: RecordSubmissionsArgs) -> None:
        now = datetime.now(UTC)
        async with self._factory() as session, session.begin():
            ids = [item.nomination.nomination_id for item in args.items]
            await prime_recorded(session, ids)
            # Read together: each awardee's `session.get` then finds its row in the session.
            held = (await session.exec(select(Nomination).where(col(Nomination.id).in_(ids)))).all()
            for item in args.items:
                await self._nominations.submission(session, item, now)
            del held
        self._on_commit()

    @activity.defn
    async def open_step(self, args: OpenStepArgs) -> list[StepOpened]:
        opened, now = [], datetime.now(UTC)
        async with self._factory() as session, session.begin():
            await prime_recorded(session, [arrival.review.nomination.nomination_id for arrival in args.items])
            for arrival in args.items:
                review = arrival.review
                n, step, visit = review.nomination, review.step, review.visit
                row = await self._nominations.review_opened(session, review, now)
                here = n.route[step]
                if here.agency_code != n.proposer_agency:
                    intake = await self._lifecycle.intake_of(
                        session, IntakeArgs(n, arrival.member, step, visit), datetime.fromisoformat(args.now)
                    )
                    if intake.missing:
                        await self._nominations.decision_recorded(
                            session,
                            intake_return(
                                n,
                                review.workflow_id,
                                arrival.member,
                                step,
                                visit,
                                args.now,
                                intake.missing,
                                intake.message,
                            ),
                        )
                        opened.append(StepOpened(n.nomination_id, None, list(intake.missing), intake.message))
                        continue
                clock, _ = await self._lifecycle.clock_started(
                    session, ClockArgs(n, arrival.member, step, visit, args.now), row
                )
                opened.append(StepOpened(n.nomination_id, clock))
        self._on_commit()
        return opened

    @activity.defn
    async def record_decisions(self, args: RecordDecisionsArgs) -> None:
        async with self._factory() as session, session.begin():
            await prime_recorded(session, [item.nomination.nomination_id for item in args.items])
            reviews = await reviews_of(session, [(i.nomination.nomination_id, i.step, i.visit) for i in args.items])
            for item in args.items:
                await self._nominations.decision_recorded(session, item, reviews)
        self._on_commit()
