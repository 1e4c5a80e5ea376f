"""A quyết định for many on the console: every awardee the agency conferred under one number, with
the decision's papers (DOCX, PDF, the certificates). The awardees and papers are
`services/kit/batches`'s and `services/kit/papers`'s, as for `GET /decisions/{no}` and `/papers/decision.*`."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from services.kit.batches.service import decision_of, decisions_of
from services.kit.console.rendering import render, said
from services.kit.console.service import agency_names, award_name, page_number
from services.kit.console.session import console_officer
from services.kit.errors import DomainError, NotFound
from services.kit.identity.service import Caller
from services.kit.papers.api import attachment
from services.kit.papers.service import Form, decision_paper

router = APIRouter(prefix="/console", include_in_schema=False)
# The file's name -> its form, and whether it is the certificates rather than the quyết định.
PAPERS: dict[str, tuple[Form, bool]] = {
    "quyet_dinh.docx": ("docx", False), "quyet_dinh.pdf": ("pdf", False), "chung_nhan.pdf": ("pdf", True),
}  # fmt: skip


def number_of(request: Request) -> str:
    return request.query_params.get("number", "").strip()[:100]


@router.get("/decisions", response_class=HTMLResponse)
async def decision_page(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    """Without a number, the agency's decisions (a page of them) and the form that asks for one; a
    number the agency never used is said so."""
    number, today = number_of(request), request.app.state.kit.settings.today()
    if not number:
        page = page_number(request.query_params.get("page", "1"))
        async with request.app.state.kit.sessions() as session:
            listing = await decisions_of(session, caller=caller, page=page)
        return render(request, "decision.html", caller=caller, number="", decision=None, error=None, listing=listing)
    try:
        async with request.app.state.kit.sessions() as session:
            decision = await decision_of(session, caller=caller, number=number)
            codes = {a["proposer_agency"] for a in decision["awardees"]} | {caller.agency_code}
            names = await agency_names(session, codes, today)
    except DomainError as refusal:
        return render(
            request, "decision.html", status=refusal.status, caller=caller, number=number, decision=None,
            error=said(request, refusal),
        )  # fmt: skip
    for awardee in decision["awardees"]:
        awardee["award"] = award_name(awardee["award_code"])
        awardee["proposer"] = names.get(awardee["proposer_agency"], awardee["proposer_agency"])
    return render(
        request, "decision.html", caller=caller, number=number, decision=decision, papers=list(PAPERS),
        agency=names.get(caller.agency_code, caller.agency_code), error=None,
    )  # fmt: skip


@router.get("/decisions/{paper}")
async def decision_file(request: Request, paper: str, caller: Caller = Depends(console_officer)) -> Response:
    if paper not in PAPERS:
        raise NotFound(f"no paper {paper[:40]}: {', '.join(PAPERS)}", vi=f"không có văn bản {paper[:40]}")
    form, certificates = PAPERS[paper]
    async with request.app.state.kit.sessions() as session:
        content = await decision_paper(
            session, agency_code=caller.agency_code, number=number_of(request), form=form,
            today=request.app.state.kit.settings.today(), certificates=certificates,
        )  # fmt: skip
    return attachment(content, paper)
