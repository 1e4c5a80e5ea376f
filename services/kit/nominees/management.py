"""Who manages a nominee, and so may propose them and write their history; who may read it.

The one place these rules live (issue 11): routes and service functions ask here.

- A registered nominee (staff, a team, a household) is managed by the agency that registered it,
  and after a reorganization by the agencies that agency became.
- A body of the registry (an agency code as nominee id) is managed by itself and the agencies above it.
- A nominee's history is read by the managing agency and by every agency on the route of a
  nomination that concerns the nominee (what this service has seen of it).

Functions never commit.
"""

import re
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.errors import Conflict, Forbidden, Invalid, NotFound
from services.kit.identity.service import Caller
from services.kit.nominations.models import Nomination, Review
from services.kit.nominees.models import Nominee
from services.kit.registry.lookup import heirs, latest
from services.kit.registry.service import agency_on, require_known_agency
from shared.contracts.events import NomineeRegistered
from shared.hierarchy.bodies import CODE
from shared.platform.audit import append_audit
from shared.platform.outbox import add_event
from shared.rules.people import check_profile
from shared.text import fold

# An id written as an agency code: a registered body's (U91-0001, SGD-P91) or a province's, a
# district's or a commune's (P91, D903, C30823). It names an agency, so it must be one the registry knows.
AGENCY_LIKE = re.compile(rf"{CODE.pattern}|P\d{{2}}|D\d{{3}}|C\d{{5}}")
OUTSIDE_REGISTRY = "; a collective outside the registry (a team, a department) takes an id such as TAPTHE:U91-0001:TO-1"
PROFILE = ("position_category", "sex", "ethnicity")


async def managers_of(session: AsyncSession, nominee_id: str, on: date) -> list[str] | None:
    """The agencies that manage the nominee on `on`, or None when no one here knows the nominee."""
    registered = await session.get(Nominee, nominee_id)
    if registered is not None:
        owner = registered.managing_agency
        return [owner, *[a.code for a in await heirs(session, owner, on)]]
    if await latest(session, nominee_id) is None:
        return None
    return await superiors(session, nominee_id, on)


async def superiors(session: AsyncSession, code: str, on: date) -> list[str]:
    """The body and the agencies above it on `on`, nearest first. Where a body or a parent was
    dissolved by a reorganization, the agencies it became stand in for it (the successor authority)."""
    found: list[str] = []
    frontier, seen = [code], set()
    while frontier:
        current = frontier.pop(0)
        if current in seen:
            continue
        seen.add(current)
        agency = await agency_on(session, current, on)
        if agency is None:
            frontier += [heir.code for heir in await heirs(session, current, on)]
            continue
        found.append(current)
        if agency.parent_code:
            frontier.append(agency.parent_code)
    return [code, *(c for c in found if c != code)]


async def require_manager(session: AsyncSession, caller: Caller, nominee_id: str, on: date) -> None:
    """Only the managing agency proposes a nominee or writes their history."""
    managers = await managers_of(session, nominee_id, on)
    if managers is None:
        if AGENCY_LIKE.fullmatch(nominee_id):
            await require_known_agency(session, nominee_id, field="nominee_id", hint=OUTSIDE_REGISTRY)
        raise Invalid(
            f"nominee {nominee_id} is not registered: the agency that manages them registers them first "
            f"(POST /nominees) (đối tượng chưa được đăng ký)"
        )
    if caller.agency_code not in managers:
        raise Forbidden(
            f"nominee {nominee_id} is managed by {managers[0]}, not {caller.agency_code}: only the managing "
            f"agency proposes a nominee or records their history (không thuộc đơn vị quản lý)"
        )


async def may_read_history(session: AsyncSession, caller: Caller, nominee_id: str, on: date) -> bool:
    managers = await managers_of(session, nominee_id, on)
    if managers is not None and caller.agency_code in managers:
        return True
    for nomination in (await session.exec(select(Nomination).where(Nomination.nominee_id == nominee_id))).all():
        if caller.agency_code == nomination.proposer_agency or on_route(caller.agency_code, nomination.route):
            return True
    reviews = await session.exec(select(Review).where(Review.nominee_id == nominee_id))
    return any(on_route(caller.agency_code, review.route) for review in reviews.all())


def on_route(agency_code: str, route: list[dict]) -> bool:
    return any(step.get("agency_code") == agency_code for step in route)


async def require_history_reader(session: AsyncSession, caller: Caller, nominee_id: str, on: date) -> None:
    """Other agencies' nominees look absent (404), never forbidden."""
    if not await may_read_history(session, caller, nominee_id, on):
        raise NotFound(
            f"no nominee {nominee_id} for {caller.agency_code}: histories are read by the managing agency "
            f"and the agencies on the route of a nomination concerning the nominee"
        )


def require_profile(kind: str, position: str | None, sex: str | None, ethnicity: str | None) -> None:
    """What statistics need about a nominee (a registration, a draft): an individual's, known values only."""
    if wrong := check_profile(kind, position, sex, ethnicity):
        raise Invalid("; ".join(en for en, _ in wrong), vi="; ".join(vi for _, vi in wrong))


async def register_nominee(
    session: AsyncSession,
    *,
    caller: Caller,
    nominee_id: str,
    kind: str,
    name: str,
    on: date,
    profile: dict[str, str | None] | None = None,
) -> tuple[Nominee, bool]:
    """Register a nominee the caller's agency manages; (the row, whether it is new). Idempotent for
    the same agency, which may give an individual's profile (`PROFILE` fields) again to change it;
    another agency's nominee is refused."""
    given: dict[str, Any] = {field: (profile or {}).get(field) for field in PROFILE}
    existing = await session.get(Nominee, nominee_id)
    if existing is not None:
        if existing.managing_agency != caller.agency_code:
            raise Conflict(
                f"nominee {nominee_id} is already managed by {existing.managing_agency} "
                f"(đối tượng đã thuộc đơn vị khác quản lý)"
            )
        await change_profile(session, caller, existing, given)
        return existing, False
    if await latest(session, nominee_id) is not None:
        raise Invalid(
            f"{nominee_id} is an agency of the registry: it is managed by itself and the agencies above it, "
            f"and needs no registration"
        )
    if AGENCY_LIKE.fullmatch(nominee_id):
        await require_known_agency(session, nominee_id, field="id", hint=OUTSIDE_REGISTRY)
    require_profile(kind, *given.values())
    now = datetime.now(UTC)
    nominee = Nominee(
        id=nominee_id,
        kind=kind,
        name=name,
        search_name=fold(name),
        managing_agency=caller.agency_code,
        registered_by=caller.officer_id,
        registered_at=now,
        **given,
    )
    session.add(nominee)
    await append_audit(
        session,
        idempotency_key=f"nominee-registered:{nominee_id}",
        at=now,
        agency_code=caller.agency_code,
        nomination_id=None,
        actor=caller.officer_id,
        action="nominee.registered",
        outcome="registered",
        details={"nominee_id": nominee_id, "kind": kind},
    )
    tell_registration(session, nominee, at=now)
    return nominee, True


async def change_profile(session: AsyncSession, caller: Caller, nominee: Nominee, given: dict[str, str | None]) -> None:
    """The fields given that differ replace the registered ones (a field not given is kept); audited
    and told to every service with the registration."""
    require_profile(nominee.kind, *given.values())
    changed = {field: value for field, value in given.items() if value is not None and getattr(nominee, field) != value}
    if not changed:
        return
    now = datetime.now(UTC)
    for field, value in changed.items():
        setattr(nominee, field, value)
    session.add(nominee)
    await append_audit(
        session,
        idempotency_key=f"nominee-profile:{nominee.id}:{now.isoformat()}",
        at=now,
        agency_code=caller.agency_code,
        nomination_id=None,
        actor=caller.officer_id,
        action="nominee.profile_changed",
        outcome="changed",
        details={"nominee_id": nominee.id, "fields": sorted(changed)},
        personal=changed,  # salted commitments: erasing the nominee's data keeps the chain (decision 0034)
        subject=nominee.id,
    )
    tell_registration(session, nominee, at=now)


def tell_registration(session: AsyncSession, nominee: Nominee, *, at: datetime) -> None:
    add_event(
        session,
        NomineeRegistered(
            nominee_id=nominee.id,
            kind=nominee.kind,
            name=nominee.name,
            agency_code=nominee.managing_agency,
            actor=nominee.registered_by,
            registered_at=_aware(nominee.registered_at).isoformat(),
            **{field: getattr(nominee, field) for field in PROFILE},
        ),
        source_agency=nominee.managing_agency,
        occurred_at=at,
        key=nominee.id,
    )


async def learn_registration(session: AsyncSession, event: NomineeRegistered) -> None:
    """Keep another service's registration. Two agencies registering one id at two services at
    once: the earlier registration wins everywhere (then the lower agency code), so every service
    agrees on one manager."""
    at = datetime.fromisoformat(event.registered_at)
    profile = {field: getattr(event, field) for field in PROFILE}
    existing = await session.get(Nominee, event.nominee_id)
    if existing is not None:
        held, told = (_aware(existing.registered_at), existing.managing_agency), (at, event.agency_code)
        if held == told:  # the same registration, told again with its profile changed
            for field, value in profile.items():
                setattr(existing, field, value)
            session.add(existing)
            return
        if held < told:
            return
        await session.delete(existing)
        await session.flush()
    session.add(
        Nominee(
            id=event.nominee_id,
            kind=event.kind,
            name=event.name,
            search_name=fold(event.name),
            managing_agency=event.agency_code,
            registered_by=event.actor,
            registered_at=at,
            **profile,
        )
    )


def _aware(moment: datetime) -> datetime:
    """SQLite hands datetimes back naive; every one stored here is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def nominees_of(session: AsyncSession, agency_code: str, *, query: str | None, limit: int) -> list[Nominee]:
    """The agency's registered nominees, by name with or without diacritics, or by id."""
    select_ = select(Nominee).where(Nominee.managing_agency == agency_code)
    if query:
        folded = fold(query)
        select_ = select_.where(
            (col(Nominee.search_name).contains(folded, autoescape=True)) | (col(Nominee.id) == query.strip())
        )
    return list((await session.exec(select_.order_by(col(Nominee.search_name)).limit(limit))).all())
