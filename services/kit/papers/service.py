"""The offices' papers, as DOCX or PDF: the quyết định listing every awardee an agency conferred
under a number, the tờ trình a level sends up, and a certificate per awardee. Readable by the
agencies on a nomination's route only, like every nomination-scoped read. Functions never commit."""

from datetime import date
from typing import Literal

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.batches.service import awardees_of_decision, batch_out, own_batch
from services.kit.errors import Conflict, DomainError, NotFound
from services.kit.identity.service import Caller
from services.kit.nominations.models import Nomination, Review
from services.kit.nominations.service import agency_on_route
from services.kit.outcomes.service import Conferral, conferral_here
from services.kit.papers.render import (
    Awardee,
    Heading,
    certificates_pdf,
    decision_docx,
    decision_pdf,
    issuing_body,
    locality,
    proposal_docx,
    proposal_pdf,
    signer_title_of,
)
from services.kit.registry.service import agency_on
from shared.rules.catalog import default_catalog

Form = Literal["docx", "pdf"]
BASIS = ["Căn cứ Luật Thi đua, khen thưởng ngày 15 tháng 6 năm 2022", "Căn cứ Nghị định số 152/2025/NĐ-CP"]
DEFAULT_REASON = "đã có thành tích xuất sắc"
CAPITAL = "Hà Nội"
UNNUMBERED = "      /TTr"  # the office writes the number by hand when it registers the paper it signs


def award_of(code: str) -> tuple[str, bool]:
    """The award's display name and whether it is a title (danh hiệu) the paper recognises."""
    award = default_catalog().awards.get(code)
    return (award.name_vi, award.category.startswith("danh_hieu")) if award else (code, False)


async def name_of(session: AsyncSession, code: str, today: date) -> str:
    body = await agency_on(session, code, today)
    return body.name if body else code


async def place_of(session: AsyncSession, code: str, today: date) -> str:
    """The place of the date line (Decree 30/2020): the administrative unit the body, or the
    nearest body above it, is named after ("Hòn Đất" for a school under huyện Hòn Đất); the
    capital for a national body, which names none."""
    current = await agency_on(session, code, today)
    for _ in range(8):  # the hierarchy is four or five levels deep
        if current is None:
            break
        if (place := locality(current.name)) is not None:
            return place
        current = await agency_on(session, current.parent_code, today) if current.parent_code else None
    return CAPITAL


async def heading_of(
    session: AsyncSession, code: str, number: str, day: date, today: date, signer: str | None
) -> Heading:
    name = issuing_body(await name_of(session, code, today))
    return Heading(name, number, await place_of(session, code, today), day, signer or "", signer_title_of(name))


async def decision_paper(
    session: AsyncSession, *, agency_code: str, number: str, today: date, form: Form = "docx",
    certificates: bool = False,
) -> bytes:  # fmt: skip
    """Every awardee `agency_code` conferred under `number`, by name, unit, form and bonus, or (with
    `certificates`) each awardee's certificate, one page each. The signer and the reason are those
    the conferral recorded; without a signer the line is left for the office."""
    found = await awardees_of_decision(session, agency_code=agency_code, number=number)
    first = await conferral_here(session, found["awardees"][0]["nomination_id"])
    signer, reason = (first.signer, first.reason) if first else (None, None)
    day = date.fromisoformat(found["decided_on"]) if found["decided_on"] else today
    awardees = []
    for a in found["awardees"]:
        award, is_title = award_of(a["award_code"])
        unit = await name_of(session, a["proposer_agency"], today)
        awardees.append(Awardee(a["nominee_name"], unit, award, a["bonus_amount"], is_title))
    heading = await heading_of(session, agency_code, number, day, today, signer)
    if certificates:
        return certificates_pdf(heading, awardees, reason=reason or DEFAULT_REASON)
    render = decision_docx if form == "docx" else decision_pdf
    return render(
        heading, awardees, reason=reason or DEFAULT_REASON, basis=BASIS,
        recipients=["Như Điều 3", "Các cơ quan, đơn vị đề nghị"],
    )  # fmt: skip


async def conferral_on_route(session: AsyncSession, *, caller: Caller, nomination_id: str) -> Conferral:
    """The conferral recorded at this service, for an agency on the nomination's route: 404 for
    any other agency, 409 while nothing is conferred here."""
    if not await agency_on_route(session, caller.agency_code, nomination_id):
        raise NotFound(f"nomination {nomination_id} is not on the route of {caller.agency_code}")
    conferral = await conferral_here(session, nomination_id)
    if conferral is None or not conferral.decision_no:
        raise Conflict(
            f"nomination {nomination_id} has no conferral recorded at this service: the quyết định and "
            "the certificate are made by the service of the agency that conferred the award, once it has",
            vi=f"hồ sơ {nomination_id} chưa có quyết định khen thưởng tại đây: quyết định và bằng, giấy khen "
            "chỉ có sau khi cấp có thẩm quyền quyết định khen thưởng",
        )
    return conferral


async def nomination_decision(
    session: AsyncSession, *, caller: Caller, nomination_id: str, today: date, form: Form
) -> bytes:
    """The quyết định that conferred the nomination's award, with every awardee under its number."""
    c = await conferral_on_route(session, caller=caller, nomination_id=nomination_id)
    return await decision_paper(session, agency_code=c.agency_code, number=c.decision_no, today=today, form=form)


async def nomination_certificate(session: AsyncSession, *, caller: Caller, nomination_id: str, today: date) -> bytes:
    """The bằng khen, giấy khen or title's certificate of the nomination's awardee, as PDF."""
    c = await conferral_on_route(session, caller=caller, nomination_id=nomination_id)
    day = date.fromisoformat(c.decided_on) if c.decided_on else today
    award, is_title = award_of(c.award_code)
    unit = await name_of(session, c.proposer_agency, today)
    heading = await heading_of(session, c.agency_code, c.decision_no, day, today, c.signer)
    return certificates_pdf(
        heading, [Awardee(c.nominee_name, unit, award, c.bonus_amount, is_title)], reason=c.reason or DEFAULT_REASON
    )


async def proposal_target(
    session: AsyncSession, *, caller: Caller, nomination_id: str
) -> tuple[Nomination | Review, str]:
    """What the caller's agency proposes and to whom: the proposer's nomination, or the review of a
    level that sends it up, and the next agency on its route. 404 for an agency that neither
    proposed nor reviewed it; 409 for the level that confers, which has nobody above it."""
    nomination = await session.get(Nomination, nomination_id)
    own = nomination if nomination is not None and nomination.proposer_agency == caller.agency_code else None
    review = (
        await session.exec(
            select(Review)
            .where(Review.nomination_id == nomination_id, Review.agency_code == caller.agency_code)
            .order_by(col(Review.opened_at).desc())
        )
    ).first()
    base = own or review
    if base is None:
        raise NotFound(f"nomination {nomination_id} is not proposed or reviewed by {caller.agency_code}")
    codes = [step["agency_code"] for step in base.route]
    above = codes[codes.index(caller.agency_code) + 1 :] if caller.agency_code in codes else codes[:1]
    if not above:
        raise Conflict(
            f"{caller.agency_code} decides on nomination {nomination_id}: a tờ trình goes to the level above",
            vi=f"{caller.agency_code} là cấp quyết định hồ sơ {nomination_id}: tờ trình chỉ gửi lên cấp trên",
        )
    return base, above[0]


async def nomination_proposal(
    session: AsyncSession, *, caller: Caller, nomination_id: str, today: date, form: Form
) -> bytes:
    """The tờ trình the caller's agency sends up for the nomination, to the next level of its route."""
    base, addressee = await proposal_target(session, caller=caller, nomination_id=nomination_id)
    award, is_title = award_of(base.award_code)
    unit = await name_of(session, base.proposer_agency, today)
    heading = await heading_of(session, caller.agency_code, UNNUMBERED, today, today, None)
    render = proposal_docx if form == "docx" else proposal_pdf
    return render(
        heading, [Awardee(base.nominee_name, unit, award, None, is_title)], title=f"Về việc đề nghị tặng {award}",
        addressee=await name_of(session, addressee, today), recipients=["Như trên"],
    )  # fmt: skip


async def papers_open(session: AsyncSession, *, caller: Caller, nomination_id: str) -> list[str]:
    """The papers the caller's agency may download for the nomination now (file names)."""
    names: list[str] = []
    try:
        await conferral_on_route(session, caller=caller, nomination_id=nomination_id)
        names += ["decision.docx", "decision.pdf", "certificate.pdf"]
    except DomainError:
        pass  # nothing conferred here, or not on its route: no decision to print
    try:
        await proposal_target(session, caller=caller, nomination_id=nomination_id)
        names += ["proposal.docx", "proposal.pdf"]
    except DomainError:
        pass  # the conferring level proposes to nobody
    return names


async def proposal_paper(
    session: AsyncSession, *, caller: Caller, batch_id: str, today: date, form: Form = "docx"
) -> bytes:
    """The tờ trình of a batch the caller's agency numbered, with every awardee in it."""
    batch = await batch_out(session, await own_batch(session, caller, batch_id))
    body = await agency_on(session, caller.agency_code, today)
    parent = await agency_on(session, body.parent_code, today) if body and body.parent_code else None
    heading = await heading_of(session, caller.agency_code, batch["number"], today, today, None)
    awardees = []
    for a in batch["awardees"]:
        award, is_title = award_of(a["award_code"])
        awardees.append(Awardee(a["nominee_name"], heading.body_name, award, None, is_title))
    render = proposal_docx if form == "docx" else proposal_pdf
    return render(
        heading, awardees, title=batch["title"], addressee=parent.name if parent else "cấp có thẩm quyền",
        recipients=["Như trên"],
    )  # fmt: skip
