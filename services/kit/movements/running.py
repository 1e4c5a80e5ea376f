"""Running a launched movement (its launcher only): mid-term and final reviews, model examples
(điển hình tiên tiến), its status; and the replicas every other service keeps. Functions never commit."""

from datetime import UTC, date, datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.errors import Conflict, Invalid
from services.kit.identity.service import Caller
from services.kit.movements.models import LaunchedMovement, MovementRegistration
from services.kit.movements.schemas import ExampleIn, ReviewIn, StatusIn
from services.kit.movements.service import ORDER, launched, open_to, own, publish
from services.kit.registry.service import agency_on
from shared.contracts.events import MovementPublished, MovementRegistered
from shared.rules.datafiles import Citation
from shared.rules.movements import STATUSES, Movement, movement


async def record_review(
    session: AsyncSession, *, caller: Caller, code: str, body: ReviewIn, today: date
) -> LaunchedMovement:
    """A mid-term (sơ kết) or the final (tổng kết) review; the final one opens the award review."""
    found = own(await launched(session, code), caller)
    if found.status != "dang_phat_dong":
        raise Conflict(f"movement {code} is already {found.status}: its reviews are done", vi="phong trào đã tổng kết")
    if not found.starts_on <= body.held_on <= today:
        raise Invalid(
            f"a review is held between the movement's first day ({found.starts_on}) and today ({today})",
            vi=f"ngày sơ kết, tổng kết phải từ {found.starts_on:%d/%m/%Y} đến hôm nay",
        )
    if any(r["held_on"] > body.held_on.isoformat() for r in found.reviews):
        raise Conflict("a review cannot be dated before an earlier one", vi="ngày sơ kết, tổng kết phải theo thứ tự")
    found.reviews = [*found.reviews, {**body.model_dump(mode="json"), "by": caller.officer_id}]
    if body.kind == "tong_ket":
        found.status = "dang_xet_khen_thuong"
    await publish(session, found, caller, f"reviewed_{body.kind}")
    return found


async def record_example(
    session: AsyncSession, *, caller: Caller, code: str, body: ExampleIn, today: date
) -> LaunchedMovement:
    """A model example of the movement: someone of an agency in its scope."""
    found = own(await launched(session, code), caller)
    if await agency_on(session, body.agency_code, today) is None:
        raise Invalid(
            f"unknown agency {body.agency_code} on {today}: GET /agencies?q= finds its code",
            vi=f"không có cơ quan mã {body.agency_code}: tra mã ở danh mục cơ quan",
        )
    if body.agency_code != found.launcher_agency and not await open_to(session, found, body.agency_code, today):
        raise Invalid(
            f"{body.agency_code} is outside movement {code}'s scope",
            vi=f"{body.agency_code} không thuộc phạm vi phong trào",
        )
    found.examples = [*found.examples, {**body.model_dump(), "recorded_on": today.isoformat()}]
    await publish(session, found, caller, "example_recorded")
    return found


async def move_status(session: AsyncSession, *, caller: Caller, code: str, body: StatusIn) -> LaunchedMovement:
    """Forward only: launched → award review (after the final review) → awarded."""
    found = own(await launched(session, code), caller)
    if ORDER.index(body.status) != ORDER.index(found.status) + 1:
        raise Conflict(
            f"movement {code} is {found.status}; it moves to the next status only",
            vi=f"phong trào đang ở trạng thái '{STATUSES[found.status]}': chỉ chuyển sang trạng thái kế tiếp",
        )
    if body.status == "dang_xet_khen_thuong" and not any(r["kind"] == "tong_ket" for r in found.reviews):
        raise Conflict(
            "the final review (tong_ket) opens the award review", vi="cần tổng kết phong trào trước khi xét khen thưởng"
        )
    found.status = body.status
    if body.note:
        found.reviews = [
            *found.reviews,
            {"kind": "ghi_chu", "held_on": None, "summary": body.note, "by": caller.officer_id},
        ]
    await publish(session, found, caller, "status_changed")
    return found


async def learn_movement(session: AsyncSession, event: MovementPublished) -> bool:
    """Keep the newest snapshot; an older or repeated one changes nothing."""
    found = await session.get(LaunchedMovement, event.code)
    if found is not None and found.version >= event.version:
        return False
    values = event.model_dump(exclude={"actor"})
    values |= {
        "starts_on": date.fromisoformat(event.starts_on),
        "ends_on": date.fromisoformat(event.ends_on) if event.ends_on else None,
        "launched_on": date.fromisoformat(event.launched_on),
        "updated_at": datetime.now(UTC),
    }
    if found is None:
        session.add(LaunchedMovement(**values))
    else:
        for key, value in values.items():
            setattr(found, key, value)
        session.add(found)
    return True


async def learn_registration(session: AsyncSession, event: MovementRegistered) -> bool:
    if await session.get(MovementRegistration, (event.movement_code, event.agency_code)) is not None:
        return False
    session.add(
        MovementRegistration(
            movement_code=event.movement_code,
            agency_code=event.agency_code,
            registered_on=date.fromisoformat(event.registered_on),
            pledged=event.pledged,
            items=event.items,
            actor=event.actor,
            recorded_at=datetime.now(UTC),
        )
    )
    return True


async def routing_movement(session: AsyncSession, code: str | None) -> Movement | None:
    """The movement a thematic nomination names, as routing reads it: one an agency launched (its
    launcher confers its awards), else one of the catalogued movements."""
    if code is None:
        return None
    found = await session.get(LaunchedMovement, code)
    if found is None:
        return movement(code)
    return Movement(
        code=found.code,
        name_vi=found.name,
        launcher=found.launcher_agency,
        kind=found.kind,
        valid_from=found.starts_on,
        valid_to=found.ends_on,
        citation=Citation(instrument=found.launch_document),
    )
