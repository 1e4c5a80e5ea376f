"""The offices' papers over HTTP, as DOCX (`papers/service.py` makes them). Routes stay thin."""

from fastapi import APIRouter, Depends, Query, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.deps import db, settings
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller
from services.kit.papers.service import decision_paper, proposal_paper
from shared.platform.settings import ServiceSettings

router = APIRouter(prefix="/papers", tags=["papers"])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def attachment(content: bytes, name: str) -> Response:
    return Response(content, media_type=DOCX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get(
    "/decision.docx", summary="The quyết định with every awardee the caller's agency conferred under the number"
)
async def decision_docx(
    number: str = Query(min_length=1, max_length=100), caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    return attachment(
        await decision_paper(session, caller=caller, number=number, today=config.today()), "quyet_dinh.docx"
    )


@router.get("/proposal.docx", summary="The tờ trình of the caller's agency with every awardee it proposes")
async def proposal_docx(
    batch_id: str = Query(min_length=1, max_length=100), caller: Caller = Depends(current_officer),
    session: AsyncSession = Depends(db, scope="function"), config: ServiceSettings = Depends(settings),
) -> Response:  # fmt: skip
    return attachment(
        await proposal_paper(session, caller=caller, batch_id=batch_id, today=config.today()), "to_trinh.docx"
    )
