"""One ballot paper over a meeting's agenda: a member's votes on many items at once, and the
rounds of many items counted at once.

A council votes on the whole agenda of a meeting with one paper per member (a tờ trình may put a
hundred names before it); each vote and each count is the single-item one (`voting.py`), with its
checks, its receipt and its audit record, all in the request's one transaction: if any item is
refused, nothing of the paper is recorded and the answer names the item. Functions never commit.
"""

from collections.abc import Awaitable, Callable
from datetime import date
from functools import partial
from typing import Any, TypeVar

from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.councils.ballots import prime_boxes, store_boxes
from services.kit.councils.models import Council, CouncilMeeting
from services.kit.councils.voting import cast_vote, count_round
from services.kit.errors import DomainError
from services.kit.identity.service import Caller

T = TypeVar("T")


async def on_item(nomination_id: str, act: Callable[[], Awaitable[T]]) -> T:
    """The act on one item; a refusal says which item it was about."""
    try:
        return await act()
    except DomainError as err:
        detail = f"item {nomination_id}: {err.detail}" if isinstance(err.detail, str) else err.detail
        vi = f"hồ sơ {nomination_id}: {err.vi}" if err.vi else None
        raise type(err)(detail, err.kind, vi=vi) from None


async def _held(
    session: AsyncSession, meeting_id: str, nomination_ids: list[str]
) -> tuple[CouncilMeeting | None, Council | None]:
    """The meeting and its council, held while a paper's items are acted on (the session's identity
    map keeps only what is referenced, so each item's `session.get` finds them there), and the
    items' boxes read at once (`prime_boxes`). The checks stay each item's own."""
    await prime_boxes(session, meeting_id, nomination_ids)
    meeting = await session.get(CouncilMeeting, meeting_id)
    return meeting, await session.get(Council, meeting.council_id) if meeting else None


async def cast_paper(
    session: AsyncSession,
    *,
    caller: Caller,
    meeting_id: str,
    votes: list[tuple[str, bool]],
    written: bool,
    today: date,
) -> list[dict[str, Any]]:
    """The caller's own votes, item by item; a receipt for each."""
    held = await _held(session, meeting_id, [nomination_id for nomination_id, _ in votes])  # noqa: F841 - see _held
    receipts = []
    for nomination_id, yes in votes:
        vote = partial(
            cast_vote, session, caller=caller, meeting_id=meeting_id, nomination_id=nomination_id, yes=yes,
            written=written, today=today,
        )  # fmt: skip
        receipt, item = await on_item(nomination_id, vote)
        receipts.append({"nomination_id": nomination_id, "receipt": receipt, "round": item.round})
    await store_boxes(session)
    return receipts


async def count_rounds(
    session: AsyncSession, *, caller: Caller, meeting_id: str, nomination_ids: list[str]
) -> list[dict[str, Any]]:
    """The open round of each item counted, in the order given."""
    held = await _held(session, meeting_id, nomination_ids)  # noqa: F841 - see _held
    counted = []
    for nomination_id in nomination_ids:
        count = partial(count_round, session, caller=caller, meeting_id=meeting_id, nomination_id=nomination_id)
        result = await on_item(nomination_id, count)
        counted.append({"nomination_id": nomination_id, **result})
    return counted
