"""Grassroots bodies registered under the hierarchy (schools, enterprises, sở, agencies…): what a
registration must say, checked without a database.

The administrative tree comes from the reference data and the State's own bodies from the
deployment (`deploy/demo_data.py`); everything else an admin registers (decision 0015). The checks
that need the registry replica (the code is free, the managing authority is in force, the caller
may act for it) are in `services/kit/bodies/checks.py`.

Codes are ASCII, upper case, in hyphenated segments (`U91-0004`, `SGD-P91`, `U-BGDDT-0002`): they
can never be read as a province, district or commune code (`P91`, `D903`, `C30823` have no
hyphen), and the prefixes of the State's bodies (`TW-`, `B-`) are not for registrations.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from shared.contracts.tiers import Tier
from shared.text import fold

CODE = re.compile(r"[A-Z][A-Z0-9]{0,15}(?:-[A-Z0-9]{1,16}){1,3}")
RESERVED_PREFIXES = ("TW-", "B-")
COMMUNE_CODE = re.compile(r"C\d{5}")
NAME_MAX = 255
LEGAL_BASIS_MAX = 500

# The kinds a registration may name (Vietnamese, English). Each is held by an authority of
# shared/rules/data/authorities.yaml, so that the body's head has a place on a route.
KINDS: dict[str, tuple[str, str]] = {
    "school": ("Trường học, cơ sở giáo dục", "school"),
    "hospital": ("Bệnh viện, cơ sở y tế", "hospital"),
    "public_service_unit": ("Đơn vị sự nghiệp công lập", "public service unit"),
    "agency": ("Cơ quan, tổ chức", "agency or organisation"),
    "department": ("Sở, cơ quan chuyên môn cấp tỉnh", "provincial department (sở)"),
    "ministry_unit": ("Đơn vị trực thuộc bộ, ngành", "unit under a ministry"),
    "enterprise": ("Doanh nghiệp", "enterprise"),
    "cooperative": ("Hợp tác xã", "cooperative"),
}
# What a person may type for a kind besides its code: the Vietnamese word, with or without diacritics.
KIND_WORDS = {
    **{fold(vi.split(",")[0]): kind for kind, (vi, _) in KINDS.items()},
    "truong": "school",
    "benh vien": "hospital",
    "so": "department",
    "co quan": "agency",
    "to chuc": "agency",
    "cong ty": "enterprise",
}

# The tiers a registered body may be hosted at: the central service hosts only the State's bodies.
TIERS = (Tier.UNIT, Tier.DISTRICT, Tier.PROVINCE)
TIER_WORDS = {
    "co so": Tier.UNIT,
    "cap co so": Tier.UNIT,
    "don vi": Tier.UNIT,
    "huyen": Tier.DISTRICT,
    "cap huyen": Tier.DISTRICT,
    "tinh": Tier.PROVINCE,
    "cap tinh": Tier.PROVINCE,
}
COMMUNE_KINDS = ("commune", "ward", "town", "special_zone")


@dataclass(frozen=True)
class Problem:
    """What is wrong with one field of a registration, in Vietnamese and in English."""

    field: str
    vi: str
    en: str
    # How the API answers it when a registration stands alone: 422, or 409 for a taken code, 403 for
    # a caller who may not act for the managing authority.
    kind: str = "invalid"

    def __str__(self) -> str:
        return f"{self.en} ({self.vi})"

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "vi": self.vi, "en": self.en}


@dataclass(frozen=True)
class Body:
    """A registration: the first version of a body, in force from `valid_from`."""

    code: str
    name: str
    kind: str
    tier: str
    parent_code: str
    valid_from: date
    location_code: str | None = None
    legal_basis: str | None = None

    def row(self) -> dict[str, Any]:
        """The registry row (the keys of `services.kit.registry.models.Agency`)."""
        return {
            "code": self.code,
            "name": self.name,
            "tier": self.tier,
            "kind": self.kind,
            "parent_code": self.parent_code,
            "valid_from": self.valid_from,
            "valid_to": None,
            "successors": [],
            "legal_basis": self.legal_basis,
            "location_code": self.location_code,
            "search_name": fold(self.name),
        }


def registration(
    *,
    code: str,
    name: str,
    kind: str,
    tier: str,
    parent_code: str,
    valid_from: date,
    location_code: str | None = None,
    legal_basis: str | None = None,
) -> Body:
    """A registration as a person wrote it, tidied: codes upper case, names in NFC with single
    spaces, kinds and tiers also from their Vietnamese words; what is still wrong `body_problems` says."""
    return Body(
        code=code.strip().upper(),
        name=tidy(name),
        kind=kind_named(kind) or kind.strip(),
        tier=tier_named(tier) or tier.strip(),
        parent_code=parent_code.strip().upper(),
        valid_from=valid_from,
        location_code=(location_code or "").strip().upper() or None,
        legal_basis=tidy(legal_basis or "") or None,
    )


def tidy(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def vn_date(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def kind_named(text: str) -> str | None:
    """The kind a person typed: its code (`school`) or its Vietnamese word (`Trường học`, `truong hoc`)."""
    word = text.strip()
    if word in KINDS:
        return word
    return KIND_WORDS.get(fold(word))


def tier_named(text: str) -> str | None:
    """The tier a person typed: `unit`, `district`, `province`, or `cơ sở`, `huyện`, `tỉnh`."""
    word = fold(text)
    if word in {t.value for t in TIERS}:
        return word
    found = TIER_WORDS.get(word)
    return found.value if found else None


def body_problems(body: Body) -> list[Problem]:
    """What is wrong with a registration on its face, before the registry is consulted."""
    problems = []
    if not CODE.fullmatch(body.code):
        problems.append(
            Problem(
                "code",
                f"mã '{body.code}' không hợp lệ: chữ in hoa không dấu và chữ số, 2 đến 4 nhóm nối bằng '-', "
                "bắt đầu bằng chữ cái, ví dụ U91-0004",
                f"the code '{body.code}' is not valid: upper-case ASCII letters and digits in 2 to 4 groups "
                "joined by '-', starting with a letter, e.g. U91-0004",
            )
        )
    elif body.code.startswith(RESERVED_PREFIXES):
        problems.append(
            Problem(
                "code",
                f"mã bắt đầu bằng {' hoặc '.join(RESERVED_PREFIXES)} dành cho cơ quan trung ương và bộ, ngành",
                f"codes starting with {' or '.join(RESERVED_PREFIXES)} are kept for the central bodies and ministries",
            )
        )
    if not body.name.strip():
        problems.append(Problem("name", "thiếu tên đơn vị", "the name is missing"))
    elif len(body.name) > NAME_MAX:
        problems.append(
            Problem("name", f"tên dài quá {NAME_MAX} ký tự", f"the name is longer than {NAME_MAX} characters")
        )
    if body.kind not in KINDS:
        problems.append(
            Problem(
                "kind",
                f"loại hình '{body.kind}' không được đăng ký; dùng một trong: {', '.join(KINDS)}",
                f"the kind '{body.kind}' cannot be registered; use one of: {', '.join(KINDS)}",
            )
        )
    if body.tier not in {t.value for t in TIERS}:
        problems.append(
            Problem(
                "tier",
                f"cấp '{body.tier}' không hợp lệ; dùng unit (cơ sở), district (huyện) hoặc province (tỉnh)",
                f"the tier '{body.tier}' is not one a body is registered at; use unit, district or province",
            )
        )
    if not body.parent_code:
        problems.append(Problem("parent_code", "thiếu mã cơ quan quản lý", "the managing authority's code is missing"))
    elif body.parent_code == body.code:
        problems.append(Problem("parent_code", "đơn vị không thể tự quản lý mình", "a body cannot manage itself"))
    if body.location_code is not None and not COMMUNE_CODE.fullmatch(body.location_code):
        problems.append(
            Problem(
                "location_code",
                f"mã xã nơi đặt trụ sở '{body.location_code}' không hợp lệ: C và 5 chữ số, ví dụ C30823",
                f"the location '{body.location_code}' is not a commune code: C and 5 digits, e.g. C30823",
            )
        )
    if body.legal_basis is not None and len(body.legal_basis) > LEGAL_BASIS_MAX:
        problems.append(
            Problem(
                "legal_basis",
                f"căn cứ pháp lý dài quá {LEGAL_BASIS_MAX} ký tự",
                f"the legal basis is longer than {LEGAL_BASIS_MAX} characters",
            )
        )
    return problems
