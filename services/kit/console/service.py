"""What the console's pages show, read from this service's own tables: the agency's inbox with
filters, search, sort and paging; one nomination with its verdict, dossier and a timeline across
every level (the events this service has received). Functions never commit."""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, func, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.dossier.service import documents_of
from services.kit.errors import NotFound
from services.kit.identity.service import Caller
from services.kit.nominations.models import Nomination, Review
from services.kit.proposals.service import judge
from services.kit.registry.models import Agency
from services.kit.registry.service import in_force
from services.kit.reviews.work import colleagues
from services.kit.tracking.models import TrackingEntry
from services.kit.tracking.service import LABELS
from shared.rules.catalog import default_catalog
from shared.rules.dossier import DOCUMENT_KINDS, DOCUMENT_NAMES_VI
from shared.rules.people import profile_names
from shared.rules.roles import may
from shared.text import collation_key, fold

PAGE_SIZE = 20
DUE_WINDOWS = ("", "overdue", "week")
STATUSES = ("pending", "forwarded", "returned", "refused", "conferred", "withdrawn", "transferred", "")
KINDS = ("", "individual", "collective", "household")


def page_number(text: str) -> int:
    """A page asked for in an address: a whole number from 1, else the first."""
    return int(text) if text.isdigit() and 0 < int(text) < 100_000 else 1


@dataclass(frozen=True)
class InboxQuery:
    """The inbox's filters and position, as they stand in the page's URL."""

    q: str = ""
    award: str = ""
    proposer: str = ""
    status: str = "pending"
    due: str = ""
    kind: str = ""
    mine: str = ""  # "1": only what is assigned to the officer looking
    batch: str = ""  # only the awardees of this tờ trình (its number)
    page: int = 1

    @classmethod
    def parse(cls, params: dict[str, str]) -> "InboxQuery":
        """Values outside their lists fall back to the default; nothing here is trusted."""
        page = params.get("page", "1")
        status, due, kind = params.get("status", "pending"), params.get("due", ""), params.get("kind", "")
        return cls(
            q=params.get("q", "").strip()[:100],
            award=params.get("award", "").strip()[:64],
            proposer=params.get("proposer", "").strip()[:64],
            status=status if status in STATUSES else "pending",
            due=due if due in DUE_WINDOWS else "",
            kind=kind if kind in KINDS else "",
            mine="1" if params.get("mine") == "1" else "",
            batch=params.get("batch", "").strip()[:100],
            page=page_number(page),
        )

    def url(self, **changes: Any) -> str:
        chosen = replace(self, **changes)
        params = {k: v for k, v in chosen.__dict__.items() if v not in ("", None) and not (k == "page" and v == 1)}
        params.setdefault("status", "")  # an explicit empty status means "any", not the default
        return "/console?" + urlencode(params)


@dataclass
class InboxPage:
    rows: list[dict[str, Any]]
    total: int
    query: InboxQuery
    pages: int
    awards: list[tuple[str, str]] = field(default_factory=list)
    proposers: list[tuple[str, str]] = field(default_factory=list)
    # The agency's active officers (id → name): the assignees shown, and whom one may assign to.
    officers: dict[str, str] = field(default_factory=dict)
    # The numbers of the tờ trình whose awardees came here, and how many of the chosen one's are pending.
    batches: list[str] = field(default_factory=list)
    batch_pending: int = 0


async def inbox_page(
    session: AsyncSession, *, agency_code: str, query: InboxQuery, today: date, officer_id: str = ""
) -> InboxPage:
    """The agency's reviews (every visit), filtered, sorted by working-day deadline, then by arrival,
    those without a deadline last; a search matches nominee or proposer, diacritics or not.

    Everything is done by the database, one page at a time: the dated reviews come in the order of
    the index `ix_review_inbox` (agency, status, deadline; with the kind, `ix_review_inbox_kind`;
    assigned to me, `ix_review_assignee`), then the undated ones, so that no query sorts the whole
    inbox (`bench/console.py` measures it over 100,000 reviews).
    """
    chosen: list[ColumnElement[bool]] = [col(Review.agency_code) == agency_code]
    if query.status:
        chosen.append(col(Review.status) == query.status)
    if query.mine:
        chosen.append(col(Review.assigned_to) == officer_id)
    if query.kind:
        chosen.append(col(Review.nominee_kind) == query.kind)
    if query.award:
        chosen.append(col(Review.award_code) == query.award)
    if query.proposer:
        chosen.append(col(Review.proposer_agency) == query.proposer)
    if query.batch:
        chosen.append(col(Review.batch_no) == query.batch)
    if query.due == "overdue":
        chosen.append(col(Review.due_on) < today)
    elif query.due == "week":
        chosen.append(col(Review.due_on) <= today + timedelta(days=7))
    if query.q:
        wanted = fold(query.q)
        proposers = select(Agency.code).where(col(Agency.search_name).contains(wanted, autoescape=True))
        by_name = col(Review.nominee_search).contains(wanted, autoescape=True)
        chosen.append(or_(by_name, col(Review.proposer_agency).in_(proposers)))
    dated = [*chosen, col(Review.due_on).is_not(None)]
    undated = [*chosen, col(Review.due_on).is_(None)]
    with_deadline = await _count(session, dated)
    total = with_deadline + await _count(session, undated)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(query.page, pages)
    start, end = (page - 1) * PAGE_SIZE, page * PAGE_SIZE
    shown: list[Review] = []
    if start < with_deadline:
        by_deadline = (col(Review.due_on), col(Review.opened_at), col(Review.id))
        shown += await _window(session, dated, by_deadline, start, min(end, with_deadline) - start)
    if end > with_deadline:
        skip = max(0, start - with_deadline)
        shown += await _window(
            session, undated, (col(Review.opened_at), col(Review.id)), skip, end - with_deadline - skip
        )
    proposer_codes = (
        await session.exec(select(Review.proposer_agency).where(Review.agency_code == agency_code).distinct())
    ).all()
    names = await agency_names(session, {*proposer_codes, *(r.proposer_agency for r in shown)}, today)
    officers = {o.id: o.name for o in await colleagues(session, agency_code)}
    here = col(Review.agency_code) == agency_code
    batches = await session.exec(select(Review.batch_no).where(here, col(Review.batch_no).is_not(None)).distinct())
    batch_pending = (
        await _count(session, [here, col(Review.batch_no) == query.batch, col(Review.status) == "pending"])
        if query.batch
        else 0
    )
    return InboxPage(
        rows=[
            {
                "review": r,
                "award": award_name(r.award_code),
                "proposer": names.get(r.proposer_agency, r.proposer_agency),
                "overdue": r.status == "pending" and r.due_on is not None and r.due_on < today,
                "assignee": officers.get(r.assigned_to, r.assigned_to) if r.assigned_to else None,
            }
            for r in shown
        ],
        total=total,
        query=replace(query, page=page),
        pages=pages,
        awards=sorted(
            ((code, award.name_vi) for code, award in default_catalog().awards.items()),
            key=lambda a: collation_key(a[1]),
        ),
        proposers=sorted(((code, names[code]) for code in proposer_codes), key=lambda p: collation_key(p[1])),
        officers=officers,
        batches=sorted(b for b in batches.all() if b),
        batch_pending=batch_pending,
    )


async def _count(session: AsyncSession, where: list[ColumnElement[bool]]) -> int:
    return int((await session.exec(select(func.count()).select_from(Review).where(*where))).one())


async def _window(
    session: AsyncSession, where: list[ColumnElement[bool]], order: tuple, offset: int, limit: int
) -> list[Review]:
    rows = await session.exec(select(Review).where(*where).order_by(*order).offset(offset).limit(limit))
    return list(rows.all())


def award_name(code: str) -> str:
    award = default_catalog().awards.get(code)
    return award.name_vi if award else code


async def agency_names(session: AsyncSession, codes: set[str], on: date) -> dict[str, str]:
    if not codes:
        return {}
    rows = await session.exec(select(Agency).where(col(Agency.code).in_(codes), in_force(on)))
    found = {a.code: a.name for a in rows.all()}
    return {code: found.get(code, code) for code in codes}


@dataclass
class NominationPage:
    nomination_id: str
    nominee_name: str
    award: str
    award_code: str
    proposer: str
    status: str
    route: list[dict[str, Any]]
    eligibility: dict[str, Any] | None
    documents: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    actions: list[str]
    # The proposer's own nomination: what it may still do, what it may attach, how it ended.
    own: bool = False
    proposer_actions: list[str] = field(default_factory=list)
    document_kinds: list[tuple[str, str]] = field(default_factory=list)
    outcome_reason: str | None = None
    decision_no: str | None = None
    # What statistics need about the individual, as the dossier has it: word key -> the data's name.
    profile: dict[str, str] = field(default_factory=dict)


async def nomination_page(session: AsyncSession, *, caller: Caller, nomination_id: str, today: date) -> NominationPage:
    """One nomination as the caller's agency may see it: the proposer's own, or one reviewed here."""
    own = await session.get(Nomination, nomination_id)
    if own is not None and own.proposer_agency != caller.agency_code:
        own = None
    reviews = (
        await session.exec(
            select(Review)
            .where(Review.nomination_id == nomination_id, Review.agency_code == caller.agency_code)
            .order_by(col(Review.opened_at))
        )
    ).all()
    review = reviews[-1] if reviews else None
    base: Nomination | Review | None = own or review
    if base is None:
        raise NotFound(f"no nomination {nomination_id} at {caller.agency_code}")
    entries = (
        await session.exec(
            select(TrackingEntry)
            .where(TrackingEntry.nomination_id == nomination_id)
            .order_by(col(TrackingEntry.occurred_at), col(TrackingEntry.id))
        )
    ).all()
    names = await agency_names(
        session,
        {base.proposer_agency, *(e.agency_code for e in entries), *(s["agency_code"] for s in base.route)},
        today,
    )
    pending_here = review is not None and review.status == "pending"
    return NominationPage(
        nomination_id=nomination_id,
        nominee_name=base.nominee_name,
        award=award_name(base.award_code),
        award_code=base.award_code,
        proposer=names.get(base.proposer_agency, base.proposer_agency),
        status=review.status if review else own.status if own else "",
        route=[{**step, "name": names.get(step["agency_code"], step["agency_code"])} for step in base.route],
        eligibility=base.eligibility or (await precheck(session, own, today) if own is not None else None),
        documents=[
            {"document_id": d.id, "kind": d.kind, "filename": d.filename, "size": d.size, "sha256": d.sha256}
            for d in await documents_of(session, nomination_id)
        ]
        if own
        else list(review.documents if review else []),
        timeline=[
            {
                "at": e.occurred_at,
                "label": LABELS.get(e.event_type, e.event_type),
                "agency": names.get(e.agency_code, e.agency_code),
                "reason": e.reason,
                "details": e.details,
            }
            for e in entries
        ],
        actions=decisions_open(review, caller) if pending_here else [],
        own=own is not None,
        proposer_actions=proposer_actions(own, caller),
        document_kinds=[(k, DOCUMENT_NAMES_VI.get(k, k)) for k in DOCUMENT_KINDS] if own is not None else [],
        outcome_reason=own.outcome_reason if own else None,
        decision_no=own.decision_no if own else None,
        profile=profile_names(own.nominee_position, own.nominee_sex, own.nominee_ethnicity) if own else {},
    )


def decisions_open(review: Review | None, caller: Caller) -> list[str]:
    """The decisions the caller may take on a review pending at its agency; the workflow's
    validator still has the last word (its refusal is shown on the page)."""
    if review is None or not may(caller.role, "decide"):
        return []
    last_step = review.step == len(review.route) - 1
    return ["confer", "return", "refuse"] if last_step else ["forward", "return", "refuse"]


# What the proposer may ask of its own nomination in each status; the workflow has the last word.
PROPOSER_ACTIONS = {
    "draft": ["submit"],
    "submitted": ["withdraw"],
    "in_review": ["withdraw"],
    "returned": ["resubmit", "withdraw"],
}


def proposer_actions(own: Nomination | None, caller: Caller) -> list[str]:
    if own is None or not may(caller.role, "propose"):
        return []
    return PROPOSER_ACTIONS.get(own.status, [])


async def precheck(session: AsyncSession, draft: Nomination, today: date) -> dict[str, Any] | None:
    """The eligibility pre-check of a draft, over the history held here (the verdict at
    submission is computed again and kept)."""
    if draft.status != "draft":
        return None
    regime = default_catalog().judging_regime(today).code
    return (await judge(session, draft, regime=regime, on=today, province_code=None)).to_dict()
