"""The offices' papers rendered from the templates kept as data (`templates/`): the quyết định
conferring on many and the tờ trình proposing many, as DOCX (docxtpl, from the .docx files
`build.py` writes) and as PDF (typst, from the .typ files), and a certificate per awardee as PDF.
One set of values feeds both forms, so the DOCX and the PDF say the same. Pure: no I/O but reading
the templates."""

import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import typst
from docxtpl import DocxTemplate

TEMPLATES = Path(__file__).parent / "templates"
# The words before a place name in an administrative unit's name, longest first ("thị xã" before "xã").
LOCALITY = re.compile(r"\b(?:thành phố|thị xã|thị trấn|đặc khu|tỉnh|huyện|quận|xã|phường)\s+([^()]+)", re.IGNORECASE)


@dataclass(frozen=True)
class Awardee:
    name: str
    proposer: str
    award: str
    bonus: int | None = None
    is_title: bool = False  # a danh hiệu is recognised (công nhận); any other form is given (tặng)


@dataclass(frozen=True)
class Heading:
    body_name: str  # the issuing body, e.g. "Ủy ban nhân dân huyện Hòn Đất"
    number: str
    place: str
    day: date
    signer: str
    signer_title: str  # e.g. "Chủ tịch"


def money(amount: int | None) -> str:
    return "" if amount is None else f"{amount:,}".replace(",", ".")


def locality(name: str) -> str | None:
    """The place an administrative unit names, for the date line: "UBND huyện Hòn Đất" → "Hòn Đất"."""
    found = LOCALITY.search(name)
    return found[1].strip() if found else None


def issuing_body(name: str) -> str:
    """Who signs for an administrative unit is its people's committee: "Huyện Hòn Đất" → "Ủy ban
    nhân dân huyện Hòn Đất". Any other body (a department, a school, a ministry) signs as named."""
    found = LOCALITY.match(name)
    return f"Ủy ban nhân dân {name[0].lower()}{name[1:]}" if found else name


def signer_title_of(body_name: str) -> str:
    """A people's committee decides as a collective and its chair signs for it (TM.); another body
    is signed by its head."""
    return "Chủ tịch" if body_name.lower().startswith(("ủy ban nhân dân", "uỷ ban nhân dân")) else "Thủ trưởng"


def context(heading: Heading, awardees: list[Awardee]) -> dict[str, Any]:
    return {
        "body_upper": heading.body_name.upper(), "body_name": heading.body_name, "number": heading.number,
        "place": heading.place, "day": f"{heading.day.day:02d}", "month": f"{heading.day.month:02d}",
        "year": heading.day.year, "signer": heading.signer, "signer_title": heading.signer_title.upper(),
        "signer_block": f"TM. {heading.body_name.upper()}" if heading.signer_title == "Chủ tịch" else "",
        "authority_upper": f"{heading.signer_title.upper()} {heading.body_name.upper()}",
        "awardees": [
            {"n": n, "name": a.name, "proposer": a.proposer, "award": a.award, "bonus": money(a.bonus),
             "verb": "CÔNG NHẬN DANH HIỆU" if a.is_title else "TẶNG"}
            for n, a in enumerate(awardees, start=1)
        ],
        "bonus_total": money(sum(a.bonus or 0 for a in awardees)),
    }  # fmt: skip


def decision_values(
    heading: Heading, awardees: list[Awardee], *, reason: str, basis: list[str], recipients: list[str]
) -> dict[str, Any]:
    return context(heading, awardees) | {
        "reason": reason, "basis": "; ".join(basis), "basis_list": basis,
        "recipients": "; ".join(recipients), "recipient_list": recipients,
    }  # fmt: skip


def proposal_values(
    heading: Heading, awardees: list[Awardee], *, title: str, addressee: str, recipients: list[str]
) -> dict[str, Any]:
    return context(heading, awardees) | {
        "title": title, "addressee": addressee, "recipients": "; ".join(recipients), "recipient_list": recipients,
    }  # fmt: skip


def docx(template: str, values: dict[str, Any]) -> bytes:
    document = DocxTemplate(TEMPLATES / template)
    document.render(values, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf(template: str, values: dict[str, Any]) -> bytes:
    """The values reach the template as data (`sys.inputs`), never as markup, so no name can inject
    any. Only the fonts inside the compiler are used (Libertinus Serif, with every Vietnamese
    letter): the same PDF on every machine, whatever fonts it has."""
    return typst.compile(
        TEMPLATES / template,
        sys_inputs={"values": json.dumps(values, ensure_ascii=False)},
        ignore_system_fonts=True,
    )


def decision_docx(
    heading: Heading, awardees: list[Awardee], *, reason: str, basis: list[str], recipients: list[str]
) -> bytes:
    return docx(
        "quyet_dinh.docx", decision_values(heading, awardees, reason=reason, basis=basis, recipients=recipients)
    )


def decision_pdf(
    heading: Heading, awardees: list[Awardee], *, reason: str, basis: list[str], recipients: list[str]
) -> bytes:
    return pdf("quyet_dinh.typ", decision_values(heading, awardees, reason=reason, basis=basis, recipients=recipients))


def proposal_docx(
    heading: Heading, awardees: list[Awardee], *, title: str, addressee: str, recipients: list[str]
) -> bytes:
    return docx(
        "to_trinh.docx", proposal_values(heading, awardees, title=title, addressee=addressee, recipients=recipients)
    )


def proposal_pdf(
    heading: Heading, awardees: list[Awardee], *, title: str, addressee: str, recipients: list[str]
) -> bytes:
    return pdf(
        "to_trinh.typ", proposal_values(heading, awardees, title=title, addressee=addressee, recipients=recipients)
    )


def certificates_pdf(heading: Heading, awardees: list[Awardee], *, reason: str) -> bytes:
    """One page per awardee: the bằng khen, giấy khen or title's certificate under the decision
    `heading.number`, signed by `heading.signer`; `reason` is printed as a sentence ("đã có thành
    tích xuất sắc …")."""
    sentence = reason.strip().rstrip(".")
    return pdf("chung_nhan.typ", context(heading, awardees) | {"reason": sentence[:1].upper() + sentence[1:]})
