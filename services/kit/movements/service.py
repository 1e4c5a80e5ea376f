"""Emulation movements as agencies run them (domain.md §5): an authority launches one with its kind,
theme, period, scope and criteria; the agencies under it register with a pledge; the launcher
records its mid-term and final reviews and its model examples, and moves it through its statuses.

The launcher's service writes a movement and publishes it whole (`movement.published`, versioned);
every service keeps the newest snapshot, so a unit registers at its own service and the launcher's
service learns the registration from `movement.registered`. Functions never commit.
"""

from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.days import require_day
from services.kit.errors import Conflict, Forbidden, Invalid, NotFound
from services.kit.identity.service import Caller
from services.kit.movements.models import LaunchedMovement, MovementRegistration
from services.kit.movements.schemas import MovementIn, RegistrationIn
from services.kit.registry.service import agency_on, chain_upwards
from shared.contracts.events import Event, MovementPublished, MovementRegistered
from shared.platform.audit import append_audit
from shared.platform.outbox import add_event
from shared.rules.days import VALIDITY
from shared.rules.movements import SCOPES, STATUSES, movement

# Which launchers a scope fits (form 0601.N counts movements by launching level and scope).
SCOPE_TIERS = {"toan_quoc": ("central",), "bo_tinh": ("province",), "cum_khoi": ("central", "province")}
ORDER = list(STATUSES)


def movement_out(found: LaunchedMovement) -> dict[str, Any]:
    return {
        **found.model_dump(exclude={"updated_at"}, mode="json"),
        "status_vi": STATUSES[found.status],
        "scope_vi": SCOPES[found.scope],
    }


def registration_out(row: MovementRegistration) -> dict[str, Any]:
    return row.model_dump(mode="json")


def fields_of(event: type[Event], values: dict[str, Any]) -> dict[str, Any]:
    """The values an event carries (its model forbids anything else)."""
    return {key: value for key, value in values.items() if key in event.model_fields}


async def launched(session: AsyncSession, code: str) -> LaunchedMovement:
    found = await session.get(LaunchedMovement, code)
    if found is None:
        raise NotFound(f"no movement {code} launched by an agency; GET /movements lists them")
    return found


def own(found: LaunchedMovement, caller: Caller) -> LaunchedMovement:
    """Only the launcher runs its movement (reviews, examples, status)."""
    if caller.agency_code != found.launcher_agency:
        raise Forbidden(
            f"movement {found.code} is run by {found.launcher_agency}, its launcher",
            vi=f"phong trào {found.code} do {found.launcher_agency} phát động và điều hành",
        )
    return found


async def open_to(session: AsyncSession, found: LaunchedMovement, agency_code: str, on: date) -> bool:
    """A national movement is open to every agency; another, to the agencies under its launcher."""
    if found.scope == "toan_quoc":
        return True
    return any(a.code == found.launcher_agency for a in await chain_upwards(session, agency_code, on))


async def launch_movement(session: AsyncSession, *, caller: Caller, body: MovementIn, today: date) -> LaunchedMovement:
    launcher = await agency_on(session, caller.agency_code, today)
    if launcher is None:
        raise Forbidden(f"{caller.agency_code} is not in force on {today}: it cannot launch a movement")
    fits = SCOPE_TIERS.get(body.scope)
    if fits is not None and launcher.tier not in fits:
        raise Invalid(
            f"a {body.scope} movement is launched at the {' or '.join(fits)} level, not by a {launcher.tier} agency",
            vi=f"phong trào phạm vi '{SCOPES[body.scope]}' không do cơ quan cấp {launcher.tier} phát động",
        )
    if body.ends_on is not None:
        require_day(body.ends_on, today, VALIDITY, field="ends_on", field_vi="ngày kết thúc phong trào")
    code = body.code or await next_code(session, caller.agency_code, body.starts_on.year)
    if movement(code) is not None or await session.get(LaunchedMovement, code) is not None:
        raise Conflict(f"the movement code {code} is taken", vi=f"mã phong trào {code} đã có")
    found = LaunchedMovement(
        code=code,
        launcher_agency=caller.agency_code,
        name=body.name,
        theme=body.theme,
        kind=body.kind,
        scope=body.scope,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        launch_document=body.launch_document,
        launched_on=today,
        status="dang_phat_dong",
        criteria=[c.model_dump() for c in body.criteria],
        version=0,
        updated_at=datetime.now(UTC),
    )
    await publish(session, found, caller, "launched")
    return found


async def next_code(session: AsyncSession, launcher: str, year: int) -> str:
    prefix = f"{launcher}-{year}-"
    taken = set(
        (await session.exec(select(LaunchedMovement.code).where(col(LaunchedMovement.code).startswith(prefix)))).all()
    )
    number = len(taken) + 1
    while f"{prefix}{number:02d}" in taken:
        number += 1
    return f"{prefix}{number:02d}"


async def publish(session: AsyncSession, found: LaunchedMovement, caller: Caller, change: str) -> None:
    """The next version, its audit record and the snapshot every service keeps."""
    found.version += 1
    found.updated_at = datetime.now(UTC)
    session.add(found)
    event = MovementPublished(**fields_of(MovementPublished, movement_out(found)), actor=caller.officer_id)
    await append_audit(
        session,
        idempotency_key=f"movement:{found.code}:{found.version}",
        at=found.updated_at,
        agency_code=found.launcher_agency,
        actor=caller.officer_id,
        action=f"movement.{change}",
        outcome=found.status,
        details={"code": found.code, "version": found.version},
    )
    add_event(session, event, source_agency=caller.agency_code, occurred_at=found.updated_at, key=found.code)


async def register_in_movement(
    session: AsyncSession, *, caller: Caller, code: str, body: RegistrationIn, today: date
) -> MovementRegistration:
    """The caller's agency registers, pledging every mandatory criterion and any of its own items."""
    found = await launched(session, code)
    if caller.agency_code == found.launcher_agency:
        raise Conflict(
            "the launcher runs its movement; the agencies under it register", vi="cơ quan phát động không tự đăng ký"
        )
    if found.status != "dang_phat_dong" or today < found.starts_on or (found.ends_on and today > found.ends_on):
        raise Conflict(
            f"movement {code} takes registrations while launched, {found.starts_on} to {found.ends_on or '…'}",
            vi=f"phong trào {code} chỉ nhận đăng ký khi đang phát động, từ {found.starts_on:%d/%m/%Y}",
        )
    if not await open_to(session, found, caller.agency_code, today):
        raise Forbidden(
            f"movement {code} is for the agencies under {found.launcher_agency}",
            vi=f"phong trào {code} dành cho các cơ quan, đơn vị thuộc {found.launcher_agency}",
        )
    codes = {c["code"] for c in found.criteria}
    unknown = sorted(set(body.pledged) - codes)
    missing = sorted(c["code"] for c in found.criteria if c["mandatory"] and c["code"] not in body.pledged)
    if unknown or missing or not (body.pledged or body.items):
        raise Invalid(
            f"the pledge must name known criteria and every mandatory one: unknown {unknown}, missing {missing}",
            vi=f"bản đăng ký phải cam kết mọi tiêu chí bắt buộc (còn thiếu: {', '.join(missing) or 'không'}; "
            f"không có: {', '.join(unknown) or 'không'})",
        )
    if await session.get(MovementRegistration, (code, caller.agency_code)) is not None:
        raise Conflict(f"{caller.agency_code} is already registered in {code}", vi="cơ quan đã đăng ký phong trào này")
    row = MovementRegistration(
        movement_code=code,
        agency_code=caller.agency_code,
        registered_on=today,
        pledged=sorted(set(body.pledged)),
        items=body.items,
        actor=caller.officer_id,
        recorded_at=datetime.now(UTC),
    )
    session.add(row)
    await append_audit(
        session,
        idempotency_key=f"movement-registration:{code}:{caller.agency_code}",
        at=row.recorded_at,
        agency_code=caller.agency_code,
        actor=caller.officer_id,
        action="movement.registered",
        outcome="registered",
        details={"code": code, "pledged": row.pledged, "items": len(row.items)},
    )
    event = MovementRegistered(**fields_of(MovementRegistered, registration_out(row)))
    add_event(session, event, source_agency=caller.agency_code, occurred_at=row.recorded_at, key=code)
    return row


async def movements_open_to(session: AsyncSession, agency_code: str, today: date) -> list[LaunchedMovement]:
    """The movements the agency launched or may register in, newest first."""
    rows = (await session.exec(select(LaunchedMovement).order_by(col(LaunchedMovement.starts_on).desc()))).all()
    return [m for m in rows if m.launcher_agency == agency_code or await open_to(session, m, agency_code, today)]


async def seen_by(session: AsyncSession, caller: Caller, code: str, today: date) -> LaunchedMovement:
    """A movement outside the caller's reach looks absent."""
    found = await launched(session, code)
    if found.launcher_agency != caller.agency_code and not await open_to(session, found, caller.agency_code, today):
        raise NotFound(f"no movement {code} launched by an agency; GET /movements lists them")
    return found


async def registrations_seen_by(
    session: AsyncSession, caller: Caller, found: LaunchedMovement
) -> list[MovementRegistration]:
    """Its launcher sees every registration; another agency, its own."""
    query = select(MovementRegistration).where(MovementRegistration.movement_code == found.code)
    if caller.agency_code != found.launcher_agency:
        query = query.where(MovementRegistration.agency_code == caller.agency_code)
    return list((await session.exec(query.order_by(col(MovementRegistration.agency_code)))).all())
