"""The offices' papers rendered from the templates kept as data (`templates/`, written by
`build.py`) with docxtpl: the quyết định conferring on many, and the tờ trình proposing many."""

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Awardee:
    name: str
    proposer: str
    award: str
    bonus: int | None = None


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


def context(heading: Heading, awardees: list[Awardee]) -> dict[str, Any]:
    return {
        "body_upper": heading.body_name.upper(), "body_name": heading.body_name, "number": heading.number,
        "place": heading.place, "day": f"{heading.day.day:02d}", "month": f"{heading.day.month:02d}",
        "year": heading.day.year, "signer": heading.signer, "signer_title": heading.signer_title.upper(),
        "signer_block": f"TM. {heading.body_name.upper()}",
        "awardees": [
            {"n": n, "name": a.name, "proposer": a.proposer, "award": a.award, "bonus": money(a.bonus)}
            for n, a in enumerate(awardees, start=1)
        ],
        "bonus_total": money(sum(a.bonus or 0 for a in awardees)),
    }  # fmt: skip


def render(template: str, values: dict[str, Any]) -> bytes:
    document = DocxTemplate(TEMPLATES / template)
    document.render(values, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def decision_docx(
    heading: Heading, awardees: list[Awardee], *, reason: str, basis: list[str], recipients: list[str]
) -> bytes:
    values = context(heading, awardees) | {
        "authority_upper": f"{heading.signer_title.upper()} {heading.body_name.upper()}",
        "reason": reason, "basis": "; ".join(basis), "recipients": "; ".join(recipients),
    }  # fmt: skip
    return render("quyet_dinh.docx", values)


def proposal_docx(
    heading: Heading, awardees: list[Awardee], *, title: str, addressee: str, recipients: list[str]
) -> bytes:
    values = context(heading, awardees) | {"title": title, "addressee": addressee, "recipients": "; ".join(recipients)}
    return render("to_trinh.docx", values)
