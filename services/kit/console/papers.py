"""The offices' papers of one nomination, downloaded from its console page with the session (the
same service functions as `/nominations/{id}/decision.docx` and the others)."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from services.kit.console.session import console_officer
from services.kit.errors import NotFound
from services.kit.identity.service import Caller
from services.kit.papers.api import attachment
from services.kit.papers.service import Form, nomination_certificate, nomination_decision, nomination_proposal

router = APIRouter(prefix="/console", include_in_schema=False)
FILE_NAMES = {
    "decision.docx": "quyet_dinh.docx", "decision.pdf": "quyet_dinh.pdf", "certificate.pdf": "chung_nhan.pdf",
    "proposal.docx": "to_trinh.docx", "proposal.pdf": "to_trinh.pdf",
}  # fmt: skip


@router.get("/nominations/{nomination_id}/papers/{paper}")
async def paper_file(
    request: Request, nomination_id: str, paper: str, caller: Caller = Depends(console_officer)
) -> Response:
    if paper not in FILE_NAMES:
        raise NotFound(f"no paper {paper[:40]}: {', '.join(FILE_NAMES)}", vi=f"không có văn bản {paper[:40]}")
    kind, written = paper.split(".")
    form: Form = "pdf" if written == "pdf" else "docx"
    today = request.app.state.kit.settings.today()
    async with request.app.state.kit.sessions() as session:
        if kind == "certificate":
            content = await nomination_certificate(session, caller=caller, nomination_id=nomination_id, today=today)
        else:
            make = nomination_decision if kind == "decision" else nomination_proposal
            content = await make(session, caller=caller, nomination_id=nomination_id, today=today, form=form)
    return attachment(content, FILE_NAMES[paper])
