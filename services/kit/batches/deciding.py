"""A level's decision on many of the nominations pending at it, named one by one or as the awardees
of a tờ trình: `POST /decisions` (confer under one decision number) and `POST /reviews/decisions`
(forward, return or confer). Each awardee is decided on its own (`reviews/bulk.py`); a tờ trình
of more than `DECISION_ITEMS` is decided by repeating the request, `remaining` saying how many of
its awardees are still pending here; repeated once none is (an answer lost, a retry), it decides
nothing and says so."""

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.batches.service import pending_awardees, reviewed_here
from services.kit.errors import DomainError, NotFound
from services.kit.identity.service import Caller, require
from services.kit.reviews.bulk import DECISION_ITEMS, Bulk, ItemResult, act_on_many
from services.kit.workflow_client import NominationClient
from shared.contracts.tiers import Tier

# The refusals that say an awardee was decided here already (nominations/service.py, workflow_client.py),
# or that a decision on it is being recorded (workflows/nomination/validation.py).
DECIDED_OR_BEING = {"NotPendingHere", "AlreadyDecided", "BeingRecorded"}


def decided_or_being(item: ItemResult) -> bool:
    """Refused only because the awardee was decided here already, or a decision on it is being recorded."""
    return getattr(item.error, "kind", None) in DECIDED_OR_BEING


@dataclass(frozen=True)
class Decided:
    """How each awardee of one request went, in the order attempted; for a tờ trình, how many of its
    awardees are still pending here (`None` for nominations named one by one)."""

    results: list[ItemResult]
    remaining: int | None

    def answered(self, bulk: Bulk, done: str = "done") -> dict[str, Any]:
        """The API's body: one line per awardee, `done` naming its success; if none could be decided,
        the refusal instead (`none_decided`)."""
        refusal = self.none_decided()
        if refusal is not None:
            raise refusal
        return {
            "action": bulk.action,
            "decision_no": bulk.decision_no,
            "results": [
                {"nomination_id": r.nomination_id, "nominee_name": r.nominee_name, done: r.ok,
                 "attempted": r.attempted, "error": None if r.error is None else str(r.error)}
                for r in self.results
            ],
            "remaining": self.remaining,
        }  # fmt: skip

    def none_decided(self) -> DomainError | None:
        """The first refusal when no awardee could be decided; `None` when some were, or when, for a
        tờ trình, each was decided meanwhile or is being recorded (an earlier request's decisions,
        accepted but still being recorded, perhaps after that request gave up waiting): that work is
        done or under way, and `remaining` says what is still pending here."""
        refusals = [r for r in self.results if r.error is not None]
        if not self.results or len(refusals) < len(self.results):
            return None
        if self.remaining is not None and all(decided_or_being(r) for r in refusals):
            return None
        return refusals[0].error


async def decide_on_many(
    sessions: async_sessionmaker[AsyncSession],
    workflow: NominationClient,
    *,
    caller: Caller,
    tier: Tier,
    today: date,
    bulk: Bulk,
    batch_no: str | None = None,
    limit: int = DECISION_ITEMS,
) -> Decided:
    """`bulk` on the nominations it names, or on the first `limit` awardees of the tờ trình `batch_no`
    pending here, each on its own; a refusal of the request as a whole is raised."""
    require(caller, "decide")
    if batch_no:
        async with sessions() as session:
            ids = (await pending_awardees(session, caller.agency_code, batch_no))[:limit]
            if not ids:  # a repeated request, once the earlier one decided them all: nothing left to do
                if not await reviewed_here(session, caller.agency_code, batch_no):
                    raise NotFound(
                        f"no awardee of tờ trình {batch_no} has come to {caller.agency_code}",
                        vi=f"chưa có hồ sơ nào của tờ trình {batch_no} được gửi đến {caller.agency_code}",
                    )
                return Decided([], remaining=0)
        bulk = dataclasses.replace(bulk, nomination_ids=ids)
    results = await act_on_many(
        sessions, workflow, caller=caller, bulk=bulk, tier=tier, today=today, now=lambda: datetime.now(UTC),
        limit=limit,
    )  # fmt: skip
    remaining = None
    if batch_no:  # still pending here: the same request again decides the next ones
        async with sessions() as session:
            remaining = len(await pending_awardees(session, caller.agency_code, batch_no))
    return Decided(results, remaining)
