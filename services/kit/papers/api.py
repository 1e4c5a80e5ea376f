"""The offices' papers over HTTP (`papers/service.py` makes them). Routes stay thin."""

from datetime import date

from fastapi import APIRouter, Depends, Query, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.deps import db, settings
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller
from services.kit.papers.service import (
    Form,
    decision_paper,
    nomination_certificate,
    nomination_decision,
    nomination_proposal,
    proposal_paper,
)
from shared.platform.settings import ServiceSettings

router = APIRouter(tags=["papers"])
MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "pdf": "application/pdf"}


def attachment(content: bytes, name: str) -> Response:
    media = MEDIA[name.rsplit(".", 1)[-1]]
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


NUMBER = Query(min_length=1, max_length=100, description="the decision's number, e.g. 31/QĐ-UBND")
BATCH = Query(min_length=1, max_length=100, description="the tờ trình's id")


async def _numbered(
    number: str, form: Form, caller: Caller, session: AsyncSession, today: date, *, certificates: bool = False
) -> Response:
    paper = await decision_paper(
        session, agency_code=caller.agency_code, number=number, today=today, form=form, certificates=certificates
    )
    return attachment(paper, "chung_nhan.pdf" if certificates else f"quyet_dinh.{form}")


async def _batch(batch_id: str, form: Form, caller: Caller, session: AsyncSession, today: date) -> Response:
    paper = await proposal_paper(session, caller=caller, batch_id=batch_id, today=today, form=form)
    return attachment(paper, f"to_trinh.{form}")


@router.get(
    "/papers/decision.docx", summary="The quyết định with every awardee the caller's agency conferred under the number"
)
async def decision_docx(
    number: str = NUMBER, caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    return await _numbered(number, "docx", caller, session, config.today())


@router.get("/papers/decision.pdf", summary="The same quyết định as PDF")
async def decision_pdf(
    number: str = NUMBER, caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    return await _numbered(number, "pdf", caller, session, config.today())


@router.get("/papers/certificates.pdf", summary="Every awardee's certificate under the decision number, a page each")
async def decision_certificates_pdf(
    number: str = NUMBER, caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    return await _numbered(number, "pdf", caller, session, config.today(), certificates=True)


@router.get("/papers/proposal.docx", summary="The tờ trình of the caller's agency with every awardee it proposes")
async def proposal_docx(
    batch_id: str = BATCH, caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    return await _batch(batch_id, "docx", caller, session, config.today())


@router.get("/papers/proposal.pdf", summary="The same tờ trình as PDF")
async def proposal_pdf(
    batch_id: str = BATCH, caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    return await _batch(batch_id, "pdf", caller, session, config.today())


async def _decision(nomination_id: str, form: Form, caller: Caller, session: AsyncSession, today: date) -> Response:
    paper = await nomination_decision(session, caller=caller, nomination_id=nomination_id, today=today, form=form)
    return attachment(paper, f"quyet_dinh.{form}")


async def _proposal(nomination_id: str, form: Form, caller: Caller, session: AsyncSession, today: date) -> Response:
    paper = await nomination_proposal(session, caller=caller, nomination_id=nomination_id, today=today, form=form)
    return attachment(paper, f"to_trinh.{form}")


@router.get("/nominations/{nomination_id}/decision.docx", summary="The quyết định that conferred the award, as DOCX")
async def nomination_decision_docx(
    nomination_id: str, caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    return await _decision(nomination_id, "docx", caller, session, config.today())


@router.get("/nominations/{nomination_id}/decision.pdf", summary="The quyết định that conferred the award, as PDF")
async def nomination_decision_pdf(
    nomination_id: str, caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    return await _decision(nomination_id, "pdf", caller, session, config.today())


@router.get("/nominations/{nomination_id}/certificate.pdf", summary="The awardee's bằng khen or giấy khen, as PDF")
async def nomination_certificate_pdf(
    nomination_id: str, caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    paper = await nomination_certificate(session, caller=caller, nomination_id=nomination_id, today=config.today())
    return attachment(paper, "chung_nhan.pdf")


@router.get("/nominations/{nomination_id}/proposal.docx", summary="The caller's tờ trình sending it up, as DOCX")
async def nomination_proposal_docx(
    nomination_id: str, caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    return await _proposal(nomination_id, "docx", caller, session, config.today())


@router.get("/nominations/{nomination_id}/proposal.pdf", summary="The caller's tờ trình sending it up, as PDF")
async def nomination_proposal_pdf(
    nomination_id: str, caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    return await _proposal(nomination_id, "pdf", caller, session, config.today())
