"""A level's decision on every awardee of a tờ trình pending at it, from the inbox filtered by that
tờ trình: forward, return, or confer under one decision number.

The work goes in steps of `DECIDE_CHUNK` awardees (one workflow update each for a tờ trình that
travels as one workflow), each step the same function as `POST /decisions` with `batch_no`
(`services/kit/batches/deciding.py`), and each answer shows the progress so far. The answer asks for
the next step by itself (htmx); without JavaScript, the officer's "continue" does. The steps stop
when nothing of the tờ trình is pending here; when a step decided nothing: then its refusals are
shown, each in the page's language, and what remains is left for the officer (the inbox, filtered by
the tờ trình, lists it); or when `IDLE_STEPS` in a row met only awardees decided meanwhile or still
being recorded. Steps pass on only the figures shown (how many were pending at the start,
how many were decided); what is pending is always read again from this service's records."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from services.kit.batches.deciding import decide_on_many, decided_or_being
from services.kit.console.i18n import explain, language
from services.kit.console.rendering import render
from services.kit.console.session import checked_form, console_officer
from services.kit.errors import DomainError, Invalid
from services.kit.identity.service import Caller
from services.kit.reviews.bulk import DECIDING, Bulk
from services.kit.workflow_client import DECIDE_CHUNK

router = APIRouter(prefix="/console", include_in_schema=False)
IDLE_STEPS = 25  # steps in a row that found nothing to decide yet (0.4 s apart) before the page stops asking


def _figure(value: Any) -> int:
    """A count the page passed on: a small whole number, else 0 (it is only shown)."""
    text = str(value or "")
    return int(text) if text.isdigit() and len(text) < 9 else 0


@router.post("/batch-decision", response_class=HTMLResponse)
async def decide_batch(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    """One step of the decision on the tờ trình `batch_no`; the first step when `total` is not given."""
    form = await checked_form(request)
    kit, lang = request.app.state.kit, language(request)
    asked = Bulk(
        action=str(form.get("action", "")),
        nomination_ids=[],
        reason=str(form.get("reason", "")).strip()[:5000] or None,
        decision_no=str(form.get("decision_no", "")).strip()[:100] or None,
    )
    batch_no = str(form.get("batch_no", "")).strip()[:100]
    total, done = _figure(form.get("total")), _figure(form.get("done"))
    shown: dict[str, Any] = {"batch_no": batch_no, "bulk": asked, "first": total == 0, "refusals": []}
    try:
        if asked.action not in DECIDING:
            raise Invalid(f"choose forward, return or confer, not '{asked.action[:20]}'", "UnknownAction")
        if not batch_no:
            raise Invalid("name the tờ trình to decide on", vi="hãy chọn tờ trình cần quyết định")
        step = await decide_on_many(
            kit.sessions, kit.nominations, caller=caller, tier=kit.settings.tier, today=kit.settings.today(),
            bulk=asked, batch_no=batch_no, limit=DECIDE_CHUNK,
        )  # fmt: skip
    except DomainError as refusal:  # the step as a whole: nothing was attempted
        shown["error"] = explain(lang, refusal)
        return _answer(request, caller, shown, total=total, done=done, remaining=None, status=refusal.status)
    decided_now = sum(1 for item in step.results if item.ok)
    remaining = step.remaining or 0
    if shown["first"]:
        total = remaining + decided_now
    # Go on while the steps move. A step that could decide none stops, its refusals shown; one that
    # met only awardees decided meanwhile or still being recorded (an earlier step's, or another
    # officer's) waits for them, but not for ever.
    before = _figure(form.get("left")) if not shown["first"] else remaining + decided_now
    idle = 0 if decided_now or remaining < before else _figure(form.get("idle")) + 1
    refused = [item for item in step.results if item.error is not None and not decided_or_being(item)]
    shown.update(
        refusals=[(item, *explain(lang, item.error)) for item in refused if item.error is not None],
        go_on=remaining > 0 and step.none_decided() is None and idle < IDLE_STEPS,
        idle=idle,
        first=False,  # the steps' progress from now on, not the form
    )
    return _answer(request, caller, shown, total=total, done=done + decided_now, remaining=remaining)


def _answer(
    request: Request, caller: Caller, shown: dict[str, Any], *, total: int, done: int, remaining: int | None,
    status: int = 200,
) -> Response:  # fmt: skip
    """The step's section (htmx swaps it in place), or the whole page that holds it."""
    left = total - done if remaining is None else remaining
    partial = request.headers.get("HX-Request") == "true"
    context = {**shown, "total": max(total, left), "settled": max(total, left) - left, "done": done, "left": left}
    name = "batch_decision.html" if partial else "batch_decision_page.html"
    return render(request, name, status=status, caller=caller, partial=partial, **context)
