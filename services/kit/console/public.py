"""The console's pages for anyone, without logging in: a nomination's public consultation notice
with its comment form, and following a nomination by its tracking code. They answer what the
public API routes answer (`/public/consultations/{id}`, `/track/{code}`), as pages."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from services.kit.console.rendering import render
from services.kit.consultation.schemas import CommentIn
from services.kit.consultation.service import consultation_out, file_public_comment, public_consultation
from services.kit.deps import new_transaction
from services.kit.errors import DomainError
from services.kit.tracking.service import by_tracking_code, tracking_view
from shared.rules.catalog import default_catalog

router = APIRouter(prefix="/console/public", include_in_schema=False)


async def _notice(request: Request, consultation_id: str, *, status: int = 200, **context: Any) -> Response:
    today = request.app.state.kit.settings.today()
    async with request.app.state.kit.sessions() as session:
        consultation = await public_consultation(session, consultation_id)
    notice = {
        **consultation_out(consultation),
        "award_name": default_catalog().award(consultation.award_code).name_vi,
        "open": consultation.posted_on <= today <= consultation.closes_on,
    }
    return render(request, "public_notice.html", status=status, notice=notice, **context)


@router.get("/consultations/{consultation_id}", response_class=HTMLResponse)
async def notice(request: Request, consultation_id: str) -> Response:
    return await _notice(request, consultation_id)


@router.post("/consultations/{consultation_id}", response_class=HTMLResponse)
async def comment(request: Request, consultation_id: str) -> Response:
    """No session, so no CSRF token: a forged comment is no worse than a typed one, and every
    comment is read by the proposing agency before it counts."""
    form = await request.form()
    values = {key: str(form.get(key, "")).strip() for key in ("author_name", "contact", "text", "kind")}
    try:
        body = CommentIn(
            author_name=values["author_name"],
            contact=values["contact"] or None,
            text=values["text"],
            kind="complaint" if values["kind"] == "complaint" else "comment",
        )
    except ValidationError:
        problem = "hãy ghi họ tên và nội dung ý kiến (name and text are required; text up to 5,000 characters)"
        return await _notice(request, consultation_id, status=422, error=problem, values=values)
    try:
        async with new_transaction(request) as session:
            await file_public_comment(session, consultation_id, body, request.app.state.kit.settings.today())
    except DomainError as refusal:
        return await _notice(request, consultation_id, status=refusal.status, error=str(refusal), values=values)
    return await _notice(request, consultation_id, status=201, filed=True)


@router.get("/track", response_class=HTMLResponse)
async def track(request: Request, code: str = "") -> Response:
    if not code.strip():
        return render(request, "public_track.html", code="", view=None, error=None)
    try:
        async with request.app.state.kit.sessions() as session:
            issued, nomination = await by_tracking_code(session, code)
            view = await tracking_view(session, nomination, today=request.app.state.kit.settings.today(), public=True)
    except DomainError as refusal:
        return render(request, "public_track.html", status=refusal.status, code=code, view=None, error=str(refusal))
    return render(request, "public_track.html", code=issued.code, view=view, error=None)
