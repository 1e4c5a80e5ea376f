"""A level's decision on many of the nominations pending at it, named one by one or as the awardees
of a tờ trình: `POST /decisions` (confer under one decision number) and `POST /reviews/decisions`
(forward, return or confer). Each awardee is decided on its own (`reviews/bulk.py`); a tờ trình
of more than `DECISION_ITEMS` is decided by repeating the request, `remaining` saying how many of
its awardees are still pending here; repeated once none is (an answer lost, a retry), it decides
nothing and says so."""

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.batches.service import pending_awardees, reviewed_here
from services.kit.errors import NotFound
from services.kit.identity.service import Caller, require
from services.kit.reviews.bulk import DECISION_ITEMS, Bulk, act_on_many
from services.kit.workflow_client import NominationClient
from shared.contracts.tiers import Tier

# The refusals that say an awardee was decided here already (nominations/service.py, workflow_client.py),
# or that a decision on it is being recorded (workflows/nomination/validation.py).
DECIDED_OR_BEING = {"NotPendingHere", "AlreadyDecided", "BeingRecorded"}


async def decide_on_many(
    sessions: async_sessionmaker[AsyncSession],
    workflow: NominationClient,
    *,
    caller: Caller,
    tier: Tier,
    today: date,
    bulk: Bulk,
    batch_no: str | None = None,
    done: str = "done",
) -> dict[str, Any]:
    """`bulk` on the nominations it names, or on the awardees of the tờ trình `batch_no` pending here.
    One line per awardee (`done` names its success); if none could be decided, the first refusal."""
    require(caller, "decide")
    if batch_no:
        async with sessions() as session:
            ids = (await pending_awardees(session, caller.agency_code, batch_no))[:DECISION_ITEMS]
            if not ids:  # a repeated request, once the earlier one decided them all: nothing left to do
                if not await reviewed_here(session, caller.agency_code, batch_no):
                    raise NotFound(
                        f"no awardee of tờ trình {batch_no} has come to {caller.agency_code}",
                        vi=f"chưa có hồ sơ nào của tờ trình {batch_no} được gửi đến {caller.agency_code}",
                    )
                return {"action": bulk.action, "decision_no": bulk.decision_no, "results": [], "remaining": 0}
        bulk = dataclasses.replace(bulk, nomination_ids=ids)
    results = await act_on_many(
        sessions, workflow, caller=caller, bulk=bulk, tier=tier, today=today, now=lambda: datetime.now(UTC),
        limit=DECISION_ITEMS,
    )  # fmt: skip
    refusals = [r.error for r in results if r.error is not None]
    # Nothing decided: the answer is the refusal, not a list of them; unless, for a tờ trình, each
    # was decided meanwhile or is being decided (an earlier request's decisions, accepted but still
    # being recorded, perhaps after that request gave up waiting): the request's work is done or
    # under way, and `remaining` says what is still pending here, for the caller to ask again.
    decided_meanwhile = batch_no and all(getattr(e, "kind", None) in DECIDED_OR_BEING for e in refusals)
    if results and len(refusals) == len(results) and not decided_meanwhile:
        raise refusals[0]
    remaining = None
    if batch_no:  # still pending here: the same request again decides the next ones
        async with sessions() as session:
            remaining = len(await pending_awardees(session, caller.agency_code, batch_no))
    return {
        "action": bulk.action,
        "decision_no": bulk.decision_no,
        "results": [
            {"nomination_id": r.nomination_id, "nominee_name": r.nominee_name, done: r.ok,
             "attempted": r.attempted, "error": None if r.error is None else str(r.error)}
            for r in results
        ],
        "remaining": remaining,
    }  # fmt: skip
