"""What the ReorganizationWorkflow asks a tier about its audit log once a plan's transfers are done:
close the retired agencies' logs, wait for the checkpoint that holds their closing records to be
cosigned, and record the successors' references to it (decision 0039)."""

import asyncio
import time
from collections.abc import Callable
from datetime import UTC, date, datetime

import structlog
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio import activity
from temporalio.exceptions import ApplicationError

from services.kit.activity import TierActivities
from services.kit.audit import succession
from shared.contracts.reorganization import ClosingArgs, PredecessorReference, RecordSuccessionArgs, ReferencePageArgs
from shared.platform.signing import Signer
from shared.platform.succession import SuccessionInvalid

log = structlog.get_logger()

WAIT_SECONDS = 60.0  # one attempt's wait for a cosignature; the workflow's retry policy bounds the rest
POLL_SECONDS = 1.0


class SuccessionActivities(TierActivities):
    def __init__(
        self,
        factory: async_sessionmaker[AsyncSession],
        on_commit: Callable[[], None],
        tier: str,
        signer: Callable[[], Signer] | None = None,
    ) -> None:
        super().__init__(factory, on_commit, tier)
        self._signer = signer

    def signer(self) -> Signer:
        if self._signer is None:
            raise ApplicationError("this worker was started without the service's audit key", non_retryable=True)
        return self._signer()

    @activity.defn
    async def close_agency_logs(self, args: ClosingArgs) -> dict:
        """The closing record of each retired agency hosted here, after every transfer was recorded."""
        async with self._factory() as session, session.begin():
            closed = await succession.close_agency_logs(
                session,
                plan_code=args.plan_code,
                effective=date.fromisoformat(args.effective),
                legal_basis=args.legal_basis,
                tier=self._tier,
                now=datetime.now(UTC),
            )
        self._on_commit()
        log.info("audit.agency_logs_closed", plan=args.plan_code, closed=closed["closed"], deferred=closed["deferred"])
        return closed

    @activity.defn
    async def final_references(self, args: ReferencePageArgs) -> list[PredecessorReference]:
        """A page of the closed agencies with their final cosigned checkpoints, waiting (heartbeating)
        until a witness has cosigned one that holds their closing records; retried if none comes."""
        origin = self.signer().origin
        deadline = time.monotonic() + WAIT_SECONDS
        while True:
            activity.heartbeat()  # reading the log and making the proofs can take a while on a long log
            async with self._factory() as session:
                page, waiting = await succession.final_references(
                    session,
                    plan_code=args.plan_code,
                    effective=date.fromisoformat(args.effective),
                    origin=origin,
                    after=args.after,
                    limit=args.limit,
                    after_seq=args.after_seq,
                )
            if not waiting:
                return page
            if time.monotonic() > deadline:
                raise ApplicationError(
                    f"no checkpoint of {origin} holding the closing records of {', '.join(waiting[:5])} has been "
                    f"cosigned by a witness within {WAIT_SECONDS:.0f} s (are the other services consuming tdkt.audit?)",
                    type="NotCosignedYet",
                )
            activity.heartbeat(len(waiting))
            await asyncio.sleep(POLL_SECONDS)

    @activity.defn
    async def record_successions(self, args: RecordSuccessionArgs) -> int:
        """At each successor hosted here, the record referencing its predecessor's final checkpoint."""
        try:
            async with self._factory() as session, session.begin():
                written = await succession.record_successions(
                    session,
                    plan_code=args.plan_code,
                    legal_basis=args.legal_basis,
                    references=args.references,
                    tier=self._tier,
                    signer=self.signer(),
                    now=datetime.now(UTC),
                )
        except SuccessionInvalid as err:
            raise ApplicationError(
                f"a predecessor's final checkpoint does not verify here: {err}",
                type="SuccessionInvalid",
                non_retryable=True,
            ) from None
        self._on_commit()
        log.info("audit.agency_logs_succeeded", plan=args.plan_code, written=written)
        return written
