"""A level's decisions as the console takes them, one nomination or many at once.

A bulk action attempts each selected nomination on its own, with the functions the single-item
action uses (the role check, this level's own checks, the workflow's validator), and answers one
result per nomination, in the order given; one item's refusal never undoes another's success
(decision 0016). A decision's checks here only read; the workflow client then sends them together:
a tờ trình's awardees travelling in a BatchWorkflow in one update per 100 (decision 0042), the
others `IN_FLIGHT` at a time. A reminder or an assignment is its own transaction, `IN_FLIGHT` at
a time.
"""

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.errors import DomainError, Invalid, Unavailable, database_busy
from services.kit.identity.service import Caller, require
from services.kit.nominations.models import Review
from services.kit.reviews.service import prepare_decision
from services.kit.reviews.work import assign_review, urge_review
from services.kit.workflow_client import IN_FLIGHT, NominationClient
from shared.contracts.nomination import DECIDE, DecisionInput, DecisionResult
from shared.contracts.tiers import Tier

BULK_ACTIONS = ("forward", "return", "remind", "assign", "confer")
DECIDING = ("forward", "return", "confer")
MAX_ITEMS = 100  # a console form's selection
DECISION_ITEMS = 1_000  # awardees one `POST /decisions` confers; a larger tờ trình repeats the request


@dataclass(frozen=True)
class Bulk:
    """What the officer asked: one action, the nominations it applies to, and what the action needs."""

    action: str
    nomination_ids: list[str]
    reason: str | None = None
    assignee: str | None = None
    # A conferral on many: one quyết định, one number, each awardee conferred on its own.
    decision_no: str | None = None


@dataclass(frozen=True)
class ItemResult:
    nomination_id: str
    nominee_name: str
    error: DomainError | None = None
    attempted: bool = True  # False: not tried, the workflow engine had stopped answering

    @property
    def ok(self) -> bool:
        return self.attempted and self.error is None


async def decide_one(
    sessions: async_sessionmaker[AsyncSession],
    workflow: NominationClient,
    *,
    caller: Caller,
    nomination_id: str,
    tier: Tier,
    today: date,
    action: str,
    reason: str | None = None,
    decision_no: str | None = None,
) -> DecisionResult:
    """One decision, as `POST /reviews/{id}/decision` takes it: this level's checks read this
    service's records (nothing is written here), then the workflow's validator has the last word."""
    require(caller, "decide")
    async with sessions() as session:  # read only: closed before the update, whose activities write here
        decision = await prepare_decision(
            session,
            caller=caller,
            nomination_id=nomination_id,
            tier=tier,
            today=today,
            action=action,
            reason=reason,
            decision_no=decision_no,
        )
    return await workflow.update(nomination_id, DECIDE, decision)


def check_bulk(bulk: Bulk, limit: int = MAX_ITEMS) -> None:
    """What makes the whole form wrong: then nothing is attempted."""
    if bulk.action not in BULK_ACTIONS:
        raise Invalid(f"unknown bulk action '{bulk.action}': one of {', '.join(BULK_ACTIONS)}", "UnknownAction")
    if not bulk.nomination_ids:
        raise Invalid("no nomination selected", "NoSelection")
    if len(set(bulk.nomination_ids)) > limit:
        raise Invalid(f"at most {limit} nominations at once", "TooMany")
    if bulk.action == "return" and not bulk.reason:
        raise Invalid("a return needs a reason: the proposer must know what to supplement", "NoReason")
    if bulk.action == "assign" and not bulk.assignee:
        raise Invalid("choose the colleague to assign to", "NoAssignee")
    if bulk.action == "confer" and not bulk.decision_no:
        raise Invalid("a conferral needs the decision number (decision_no) of the quyết định", "NoDecisionNumber")


async def act_on_many(
    sessions: async_sessionmaker[AsyncSession],
    workflow: NominationClient,
    *,
    caller: Caller,
    bulk: Bulk,
    tier: Tier,
    today: date,
    now: Callable[[], datetime],
    limit: int = MAX_ITEMS,
) -> list[ItemResult]:
    """Attempt the action on each selected nomination and say how each went, in the order given.
    Once the workflow engine stops answering, the items not yet begun are not attempted (each
    would wait for it)."""
    check_bulk(bulk, limit)
    wanted = list(dict.fromkeys(bulk.nomination_ids))
    async with sessions() as session:
        names = await nominee_names(session, caller.agency_code, wanted)
    if bulk.action in DECIDING:
        return await _decide_all(sessions, workflow, caller, bulk, wanted, names, tier, today)
    gate = asyncio.Semaphore(IN_FLIGHT)
    away = False

    async def attempt(nomination_id: str) -> ItemResult:
        nonlocal away
        name = names.get(nomination_id, nomination_id)
        async with gate:
            if away:
                return ItemResult(nomination_id, name, attempted=False)
            try:
                await _act_on_one(sessions, caller, bulk, nomination_id, now())
            except DomainError as refusal:
                away = away or isinstance(refusal, Unavailable)
                return ItemResult(nomination_id, name, error=refusal)
            except OperationalError as err:  # this item waited too long for the write lock; the others go on
                if (busy := database_busy(err)) is None:
                    raise
                return ItemResult(nomination_id, name, error=busy)
            return ItemResult(nomination_id, name)

    return list(await asyncio.gather(*(attempt(n) for n in wanted)))


async def _decide_all(
    sessions: async_sessionmaker[AsyncSession],
    workflow: NominationClient,
    caller: Caller,
    bulk: Bulk,
    wanted: list[str],
    names: dict[str, str],
    tier: Tier,
    today: date,
) -> list[ItemResult]:
    """Each decision checked here as a single one is (read only), then sent together: the workflow
    client decides a tờ trình's awardees in its BatchWorkflow in one update (decision 0042) and the
    others one by one; the workflow's validator has the last word on each."""
    require(caller, "decide")
    refused: dict[str, DomainError] = {}
    prepared: list[tuple[str, DecisionInput]] = []
    async with sessions() as session:
        for nomination_id in wanted:
            try:
                decision = await prepare_decision(
                    session,
                    caller=caller,
                    nomination_id=nomination_id,
                    tier=tier,
                    today=today,
                    action=bulk.action,
                    reason=bulk.reason,
                    decision_no=bulk.decision_no,
                )
            except DomainError as refusal:
                refused[nomination_id] = refusal
                continue
            prepared.append((nomination_id, decision))
    outcomes = await workflow.many.decide_all(prepared)  # work on many: it takes the service's turns
    done = {nid: outcome for (nid, _), outcome in zip(prepared, outcomes, strict=True)}
    results = []
    for nomination_id in wanted:
        name = names.get(nomination_id, nomination_id)
        if nomination_id in refused:
            results.append(ItemResult(nomination_id, name, error=refused[nomination_id]))
            continue
        outcome = done[nomination_id]
        error = outcome if isinstance(outcome, DomainError) else None
        results.append(ItemResult(nomination_id, name, error=error, attempted=outcome is not None))
    return results


async def _act_on_one(
    sessions: async_sessionmaker[AsyncSession], caller: Caller, bulk: Bulk, nomination_id: str, at: datetime
) -> None:
    async with sessions() as session, session.begin():  # this item's own transaction
        if bulk.action == "remind":
            await urge_review(session, caller=caller, nomination_id=nomination_id, at=at, message=bulk.reason)
        else:
            await assign_review(
                session, caller=caller, nomination_id=nomination_id, officer_id=bulk.assignee or "", at=at
            )


async def nominee_names(session: AsyncSession, agency_code: str, nomination_ids: list[str]) -> dict[str, str]:
    """Who each selected nomination is about, as this agency's reviews know it (others' are unknown)."""
    rows = await session.exec(
        select(Review.nomination_id, Review.nominee_name).where(
            Review.agency_code == agency_code, col(Review.nomination_id).in_(nomination_ids)
        )
    )
    return dict(rows.all())
