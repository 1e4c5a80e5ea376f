"""The proposer's tờ trình for many nominees: numbered, filled with the agency's drafts or with the
candidates of a CSV/XLSX file (every row reported, all or nothing), one document for every draft,
then submitted together (all or none). The rules are `services/kit/batches`'s, as for `/batches`."""

import base64
import hashlib
from typing import Any, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import col, select
from starlette.datastructures import UploadFile

from services.kit.batches.candidates import import_candidates
from services.kit.batches.service import add_to_batch, attach_to_all, batch_out, create_batch, own_batch
from services.kit.batches.submitting import submit_batch
from services.kit.console.rendering import after_action, render, said
from services.kit.console.session import checked_form, console_officer
from services.kit.errors import DomainError, Invalid, TooLarge
from services.kit.identity.service import Caller, require
from services.kit.nominations.models import Nomination, ProposalBatch
from services.kit.papers.api import attachment
from services.kit.papers.service import proposal_paper
from services.kit.sheets import MAX_IMPORT_BYTES
from shared.rules.dossier import DOCUMENT_KINDS, DOCUMENT_NAMES_VI

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/batches", response_class=HTMLResponse)
async def batches_page(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    return await show_batches(request, caller)


async def show_batches(request: Request, caller: Caller, *, status: int = 200, error: str | None = None) -> Response:
    async with request.app.state.kit.sessions() as session:
        rows = await session.exec(
            select(ProposalBatch)
            .where(ProposalBatch.proposer_agency == caller.agency_code)
            .order_by(col(ProposalBatch.created_at).desc())
        )
        batches = list(rows.all())
    return render(request, "batches.html", status=status, caller=caller, batches=batches, error=error)


@router.post("/batches")
async def new_batch(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    form = await checked_form(request)
    number, title = str(form.get("number", "")).strip()[:100], str(form.get("title", "")).strip()[:500]
    try:
        require(caller, "propose")
        if not number or not title:
            raise Invalid("write the tờ trình's number and title", vi="ghi số và trích yếu của tờ trình")
        async with request.app.state.kit.sessions() as session, session.begin():
            batch = await create_batch(session, caller=caller, number=number, title=title)
    except DomainError as refusal:
        return await show_batches(request, caller, status=refusal.status, error=said(request, refusal))
    return after_action(request, f"/console/batches/{batch.id}")


@router.get("/batches/{batch_id}", response_class=HTMLResponse)
async def batch_page(request: Request, batch_id: str, caller: Caller = Depends(console_officer)) -> Response:
    return await show_batch(request, caller, batch_id)


async def show_batch(
    request: Request, caller: Caller, batch_id: str, *, status: int = 200, error: str | None = None,
    done: str | None = None, report: dict[str, Any] | None = None,
) -> Response:  # fmt: skip
    async with request.app.state.kit.sessions() as session:
        shown = await batch_out(session, await own_batch(session, caller, batch_id))
        loose = await session.exec(
            select(Nomination).where(
                Nomination.proposer_agency == caller.agency_code, Nomination.status == "draft",
                col(Nomination.batch_id).is_(None),
            ).order_by(col(Nomination.created_at))
        )  # fmt: skip
        drafts = list(loose.all())
    kinds = [(kind, DOCUMENT_NAMES_VI.get(kind, kind)) for kind in DOCUMENT_KINDS]
    return render(
        request, "batch.html", status=status, caller=caller, b=shown, drafts=drafts, kinds=kinds, error=error,
        done=done, report=report,
    )  # fmt: skip


async def uploaded(form: Any, name: str) -> tuple[str, bytes]:
    file = form.get(name)
    if not isinstance(file, UploadFile) or not file.filename:
        raise Invalid("choose a file", vi="hãy chọn tệp")
    content = await file.read(MAX_IMPORT_BYTES + 1)
    if len(content) > MAX_IMPORT_BYTES:
        raise TooLarge(f"the file is larger than {MAX_IMPORT_BYTES // 2**20} MB", vi="tệp quá lớn: hãy chia nhỏ")
    return file.filename, content


@router.post("/batches/{batch_id}")
async def act(request: Request, batch_id: str, caller: Caller = Depends(console_officer)) -> Response:
    """One form per action (`action`: add, import, attach, submit); a refusal shows its report."""
    form = await checked_form(request)
    action = str(form.get("action", ""))
    kit = request.app.state.kit
    today = kit.settings.today()
    report: dict[str, Any] | None = None
    try:
        require(caller, "propose")
        if action == "submit":
            report = await submit_batch(kit.sessions, kit.nominations, caller=caller, batch_id=batch_id, today=today)
        else:
            async with kit.sessions() as session, session.begin():
                if action == "add":
                    ids = [str(v)[:64] for v in form.getlist("nomination_id")]
                    if not ids:
                        raise Invalid("tick the drafts to add", vi="hãy chọn hồ sơ dự thảo để đưa vào tờ trình")
                    await add_to_batch(session, caller=caller, batch_id=batch_id, nomination_ids=ids)
                elif action == "import":
                    filename, content = await uploaded(form, "file")
                    report = await import_candidates(
                        session, caller=caller, batch_id=batch_id, filename=filename, content=content,
                        dry_run=bool(form.get("dry_run")), today=today,
                    )  # fmt: skip
                elif action == "attach":
                    filename, content = await uploaded(form, "file")
                    content_type = getattr(form.get("file"), "content_type", None) or "application/octet-stream"
                    await attach_to_all(
                        session, caller=caller, batch_id=batch_id, kind=str(form.get("kind", "to_trinh")),
                        filename=filename, content_type=content_type,
                        content_base64=base64.b64encode(content).decode(), sha256=hashlib.sha256(content).hexdigest(),
                    )  # fmt: skip
                else:
                    raise Invalid(f"unknown action '{action[:20]}'", vi=f"không rõ thao tác '{action[:20]}'")
    except DomainError as refusal:
        detail = refusal.detail if isinstance(refusal.detail, dict) else None
        return await show_batch(
            request, caller, batch_id, status=refusal.status, error=said(request, refusal), report=detail
        )
    return await show_batch(request, caller, batch_id, done=action, report=report)


@router.get("/batches/{batch_id}/to_trinh.{form}")
async def proposal_file(
    request: Request, batch_id: str, form: Literal["docx", "pdf"], caller: Caller = Depends(console_officer)
) -> Response:
    async with request.app.state.kit.sessions() as session:
        content = await proposal_paper(
            session, caller=caller, batch_id=batch_id, today=request.app.state.kit.settings.today(), form=form
        )
    return attachment(content, f"to_trinh.{form}")
