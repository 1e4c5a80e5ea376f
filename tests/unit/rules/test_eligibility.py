"""Eligibility over nominee histories: each criterion just passing, just failing (domain.md §3)."""

import json
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from shared.rules.eligibility import (
    RULESETS_DIR,
    RulesetError,
    Verdict,
    check_eligibility,
    load_ruleset,
    load_rulesets,
    rulesets_for,
)
from shared.rules.history import NomineeHistory

ON = date(2025, 12, 20)
OLD_DISTRICT = "D903"  # Huyện Hòn Đất, abolished 2025-07-01
NEW_COMMUNE = "C30823"
BAC_NINH_NEW, BAC_NINH_OLD = "P24", "P27"


# ---------------------------------------------------------------- fact builders


def award(
    code: str,
    year: int,
    *,
    mode: str = "cong_trang",
    by: str = NEW_COMMUNE,
    no: str | None = None,
    achievement: str | None = None,
    initiatives: tuple[str, ...] = (),
) -> dict[str, Any]:
    return {
        "kind": "award",
        "award_code": code,
        "year": year,
        "decided_on": f"{year}-12-15",
        "mode": mode,
        "conferred_by": by,
        "decision_no": no,
        "achievement": achievement,
        "initiative_ids": list(initiatives),
    }


def cstdcs(*years: int, by: str = NEW_COMMUNE) -> list[dict[str, Any]]:
    return [award("CSTD_CO_SO", y, by=by, no=f"{y - 2000}/QĐ-UBND") for y in years]


def rating(year: int, value: str = "tot") -> dict[str, Any]:
    return {"kind": "rating", "year": year, "rating": value, "agency_code": NEW_COMMUNE}


def ratings(first: int, last: int, value: str = "tot", *, skip: tuple[int, ...] = ()) -> list[dict[str, Any]]:
    return [rating(y, value) for y in range(first, last + 1) if y not in skip]


def initiative(iid: str, scope: str = "co_so", year: int = 2025, type_: str = "sang_kien") -> dict[str, Any]:
    return {
        "kind": "initiative",
        "id": iid,
        "title": f"Sáng kiến {iid}",
        "scope": scope,
        "recognised_on": f"{year}-06-01",
        "recognised_by": NEW_COMMUNE,
        "type": type_,
    }


def leave(year: int) -> dict[str, Any]:
    return {"kind": "leave", "year": year, "type": "maternity"}


def discipline(start: str, end: str) -> dict[str, Any]:
    return {"kind": "discipline", "level": "khiển trách", "start": start, "end": end}


def hold(start: str, end: str | None = None) -> dict[str, Any]:
    return {"kind": "hold", "reason": "complaint", "start": start, "end": end}


def service(first: int, last: int | None, role: str = "teaching", hardship: bool = False) -> dict[str, Any]:
    return {
        "kind": "service",
        "start_year": first,
        "end_year": last,
        "role": role,
        "hardship": hardship,
    }


def collective(
    members: int, lddt: int, *, value: str = "xuat_sac", disciplined: int = 0, **extra: int
) -> dict[str, Any]:
    return {
        "kind": "collective_year",
        "year": 2025,
        "members": members,
        "lddt_members": lddt,
        "disciplined_warning_or_above": disciplined,
        "rating": value,
        **extra,
    }


def check(award_code: str, facts: list[dict[str, Any]], **kwargs: Any) -> Verdict:
    options: dict[str, Any] = {
        "mode": "cong_trang",
        "year": 2025,
        "on": ON,
        "regime": "ND152",
    } | kwargs
    return check_eligibility(award_code, NomineeHistory.from_facts(facts), **options)


def statuses(verdict: Verdict) -> dict[str, str]:
    return {c.code: c.status for c in verdict.criteria}


# ---------------------------------------------------------------- the table


def case(
    case_id: str,
    award_code: str,
    facts: list[dict[str, Any]],
    expected: dict[str, str],
    outcome: str,
    **options: Any,
) -> Any:
    """One row: the award, the history, the statuses expected of some criteria, the outcome."""
    return pytest.param(award_code, facts, options, expected, outcome, id=case_id)


BN = {"province_code": BAC_NINH_NEW}
BN_COLLECTIVE = BN | {"recipient_kind": "collective"}
CSTD_TINH_OK = cstdcs(2023, 2024, 2025) + [initiative("SK-T", "bo_tinh", 2024)]
BK_TTG_OK = [award("BANG_KHEN_TINH", 2020), *ratings(2021, 2025), *cstdcs(2021, 2023, 2025)]
HCLD_OK = [
    award("BANG_KHEN_TTG", 2019),
    *ratings(2020, 2025, skip=(2022,)),
    rating(2022, "xuat_sac"),
    *cstdcs(2020, 2022, 2024),
]
USED_SK_T = award("BANG_KHEN_TINH", 2024, initiatives=("SK-T",))
SK_T = initiative("SK-T", "bo_tinh")
TTLDXS_OK = {"members": 100, "lddt": 70, "cstdcs_members": 1}

# fmt: off
CASES = [
    # LĐTT (Law Art. 24)
    case("lddt-tot", "LAO_DONG_TIEN_TIEN", [rating(2025)], {"lddt.rating": "met"}, "eligible"),
    case("lddt-hoan-thanh", "LAO_DONG_TIEN_TIEN", [rating(2025, "hoan_thanh")],
         {"lddt.rating": "not_met"}, "ineligible"),
    case("lddt-missing-rating", "LAO_DONG_TIEN_TIEN", [], {"lddt.rating": "unknown"}, "incomplete"),
    case("lddt-maternity-year", "LAO_DONG_TIEN_TIEN", [leave(2025)], {"lddt.rating": "met"},
         "eligible"),
    # CSTĐCS (Art. 23)
    case("cstdcs-xuat-sac", "CSTD_CO_SO", [rating(2025, "xuat_sac")], {"cstdcs.extra": "met"},
         "eligible"),
    case("cstdcs-tot-only", "CSTD_CO_SO", [rating(2025)], {"cstdcs.extra": "not_met"},
         "ineligible"),
    case("cstdcs-base-initiative", "CSTD_CO_SO", [rating(2025), initiative("SK1")],
         {"cstdcs.extra": "met"}, "eligible"),
    case("cstdcs-accepted-research", "CSTD_CO_SO", [rating(2025), initiative("DT", type_="de_tai")],
         {"cstdcs.extra": "met"}, "eligible"),
    case("cstdcs-initiative-of-last-year", "CSTD_CO_SO",
         [rating(2025), initiative("SK1", year=2024)],
         {"cstdcs.extra": "not_met"}, "ineligible"),
    # CSTĐ tỉnh (Art. 22)
    case("cstd-tinh-3-consecutive", "CSTD_TINH", CSTD_TINH_OK,
         {"cstd_tinh.streak": "met", "cstd_tinh.initiative": "met"}, "eligible"),
    case("cstd-tinh-only-2-consecutive", "CSTD_TINH", cstdcs(2024, 2025) + [SK_T],
         {"cstd_tinh.streak": "not_met"}, "ineligible"),
    case("cstd-tinh-gap-year-breaks-streak", "CSTD_TINH", cstdcs(2022, 2023, 2025) + [SK_T],
         {"cstd_tinh.streak": "not_met"}, "ineligible"),
    case("cstd-tinh-maternity-year-inside-streak", "CSTD_TINH",
         cstdcs(2022, 2023, 2025) + [leave(2024), SK_T], {"cstd_tinh.streak": "met"}, "eligible"),
    case("cstd-tinh-streak-must-end-at-nomination-year", "CSTD_TINH",
         cstdcs(2022, 2023, 2024) + [SK_T],
         {"cstd_tinh.streak": "not_met"}, "ineligible"),
    case("cstd-tinh-streak-across-2025-reorganisation", "CSTD_TINH",
         cstdcs(2023, 2024, by=OLD_DISTRICT) + cstdcs(2025) + [SK_T], {"cstd_tinh.streak": "met"},
         "eligible"),
    case("cstd-tinh-discipline-restarts-count", "CSTD_TINH",
         CSTD_TINH_OK + [discipline("2023-03-01", "2023-09-01")],
         {"cstd_tinh.streak": "not_met", "general.discipline": "met"}, "ineligible"),
    case("cstd-tinh-enough-years-after-discipline", "CSTD_TINH",
         cstdcs(2021, 2022) + CSTD_TINH_OK + [discipline("2022-01-01", "2022-06-30")],
         {"cstd_tinh.streak": "met"}, "eligible"),
    case("cstd-tinh-initiative-already-used", "CSTD_TINH",
         cstdcs(2023, 2024, 2025) + [SK_T, USED_SK_T],
         {"cstd_tinh.initiative": "not_met"}, "ineligible"),
    case("cstd-tinh-fresh-initiative", "CSTD_TINH",
         cstdcs(2023, 2024, 2025) + [SK_T, USED_SK_T, initiative("SK-U", "bo_tinh")],
         {"cstd_tinh.initiative": "met"}, "eligible"),
    case("cstd-tinh-initiative-scope-too-narrow", "CSTD_TINH",
         cstdcs(2023, 2024, 2025) + [initiative("SK-T", "co_so")],
         {"cstd_tinh.initiative": "not_met"}, "ineligible"),
    case("claimed-initiative-already-used", "CSTD_TINH",
         cstdcs(2023, 2024, 2025) + [SK_T, USED_SK_T],
         {"general.initiative_once": "not_met"}, "ineligible", initiative_ids=("SK-T",)),
    case("claimed-initiative-fresh", "CSTD_TINH", CSTD_TINH_OK,
         {"general.initiative_once": "met", "cstd_tinh.initiative": "met"}, "eligible",
         initiative_ids=("SK-T",)),
    case("claimed-initiative-not-in-history", "CSTD_TINH", CSTD_TINH_OK,
         {"general.initiative_once": "unknown", "cstd_tinh.initiative": "unknown"}, "incomplete",
         initiative_ids=("SK-404",)),
    # CSTĐ toàn quốc (Art. 21)
    case("cstd-tq-2-consecutive-cstd-tinh", "CSTD_TOAN_QUOC",
         [award("CSTD_TINH", 2022), award("CSTD_TINH", 2025), initiative("SK-Q", "toan_quoc")],
         {"cstd_tq.streak": "met", "cstd_tq.initiative": "met"}, "eligible"),
    case("cstd-tq-1-cstd-tinh", "CSTD_TOAN_QUOC",
         [award("CSTD_TINH", 2025), initiative("SK-Q", "toan_quoc")],
         {"cstd_tq.streak": "not_met"}, "ineligible"),
    case("cstd-tq-cycles-4-years-apart", "CSTD_TOAN_QUOC",
         [award("CSTD_TINH", 2021), award("CSTD_TINH", 2025), initiative("SK-Q", "toan_quoc")],
         {"cstd_tq.streak": "not_met"}, "ineligible"),
    case("cstd-tq-second-title-the-year-before", "CSTD_TOAN_QUOC",
         [award("CSTD_TINH", 2021), award("CSTD_TINH", 2024), initiative("SK-Q", "toan_quoc")],
         {"cstd_tq.streak": "met"}, "eligible"),
    case("cstd-tq-provincial-initiative-only", "CSTD_TOAN_QUOC",
         [award("CSTD_TINH", 2022), award("CSTD_TINH", 2025), initiative("SK-Q", "bo_tinh")],
         {"cstd_tq.initiative": "not_met"}, "ineligible"),
    # Bằng khen Thủ tướng, individual (Art. 73(1)(b))
    case("bk-ttg-5-years", "BANG_KHEN_TTG", BK_TTG_OK, {"bk_ttg.after_bk_tinh": "met"}, "eligible"),
    case("bk-ttg-4-years", "BANG_KHEN_TTG",
         [award("BANG_KHEN_TINH", 2021), *ratings(2022, 2025), *cstdcs(2022, 2023, 2025)],
         {"bk_ttg.after_bk_tinh": "not_met"}, "ineligible"),
    case("bk-ttg-2-cstdcs", "BANG_KHEN_TTG",
         [award("BANG_KHEN_TINH", 2020), *ratings(2021, 2025), *cstdcs(2021, 2025)],
         {"bk_ttg.after_bk_tinh": "not_met"}, "ineligible"),
    case("bk-ttg-dot-xuat-bk-tinh-not-evidence", "BANG_KHEN_TTG",
         [award("BANG_KHEN_TINH", 2020, mode="dot_xuat"), *BK_TTG_OK[1:]],
         {"bk_ttg.after_bk_tinh": "not_met"}, "ineligible"),
    case("bk-ttg-cong-trang-bk-tinh-is-evidence", "BANG_KHEN_TTG",
         [award("BANG_KHEN_TINH", 2020, mode="dot_xuat"), award("BANG_KHEN_TINH", 2019),
          *BK_TTG_OK[1:]], {"bk_ttg.after_bk_tinh": "met"}, "eligible"),
    case("bk-ttg-missing-rating-unknown", "BANG_KHEN_TTG",
         [award("BANG_KHEN_TINH", 2020), *ratings(2021, 2025, skip=(2023,)),
          *cstdcs(2021, 2023, 2025)],
         {"bk_ttg.after_bk_tinh": "unknown"}, "incomplete"),
    case("bk-ttg-maternity-year-counts-as-good", "BANG_KHEN_TTG",
         [award("BANG_KHEN_TINH", 2020), *ratings(2021, 2025, skip=(2023,)), leave(2023),
          *cstdcs(2021, 2022, 2025)], {"bk_ttg.after_bk_tinh": "met"}, "eligible"),
    case("bk-ttg-maternity-year-is-no-cstdcs", "BANG_KHEN_TTG",
         [award("BANG_KHEN_TINH", 2020), *ratings(2021, 2025, skip=(2023,)), leave(2023),
          *cstdcs(2021, 2025)], {"bk_ttg.after_bk_tinh": "not_met"}, "ineligible"),
    case("bk-ttg-weak-year-breaks-run", "BANG_KHEN_TTG", BK_TTG_OK + [rating(2023, "hoan_thanh")],
         {"bk_ttg.after_bk_tinh": "not_met"}, "ineligible"),
    case("bk-ttg-counts-after-previous-bk-ttg", "BANG_KHEN_TTG",
         BK_TTG_OK + [award("BANG_KHEN_TTG", 2022)], {"bk_ttg.after_bk_tinh": "not_met"},
         "ineligible"),
    case("bk-ttg-discipline-restarts-count", "BANG_KHEN_TTG",
         BK_TTG_OK + [discipline("2022-02-01", "2022-08-01")], {"bk_ttg.after_bk_tinh": "not_met"},
         "ineligible"),
    case("bk-ttg-enough-years-after-discipline", "BANG_KHEN_TTG",
         [award("BANG_KHEN_TINH", 2015), discipline("2018-01-01", "2018-12-31"),
          *ratings(2019, 2025), *cstdcs(2019, 2021, 2023)], {"bk_ttg.after_bk_tinh": "met"},
         "eligible"),
    case("bk-ttg-collective-has-no-automatic-criteria", "BANG_KHEN_TTG", BK_TTG_OK,
         {"rules.none": "unknown"}, "incomplete", recipient_kind="collective"),
    # HCLĐ hạng Ba, individual (Art. 44(1)(e))
    case("hcld3-1-xuat-sac-year", "HCLD_HANG_BA", HCLD_OK, {"hcld3.after_bk_ttg": "met"},
         "eligible"),
    case("hcld3-0-xuat-sac-years", "HCLD_HANG_BA",
         [award("BANG_KHEN_TTG", 2019), *ratings(2020, 2025), *cstdcs(2020, 2022, 2024)],
         {"hcld3.after_bk_ttg": "not_met"}, "ineligible"),
    case("hcld3-maternity-year-is-not-xuat-sac", "HCLD_HANG_BA",
         [award("BANG_KHEN_TTG", 2019), *ratings(2020, 2025, skip=(2022,)), leave(2022),
          *cstdcs(2020, 2023, 2024)], {"hcld3.after_bk_ttg": "not_met"}, "ineligible"),
    case("hcld3-missing-rating-could-be-xuat-sac", "HCLD_HANG_BA",
         [award("BANG_KHEN_TTG", 2019), *ratings(2020, 2025, skip=(2022,)),
          *cstdcs(2020, 2023, 2024)],
         {"hcld3.after_bk_ttg": "unknown"}, "incomplete"),
    # Nhà giáo ưu tú / nhân dân (Art. 64)
    case("ngut-15-years", "NHA_GIAO_UU_TU", [service(2011, 2025)], {"ngut.service": "met"},
         "eligible"),
    case("ngut-14-years", "NHA_GIAO_UU_TU", [service(2011, 2024)], {"ngut.service": "not_met"},
         "ineligible"),
    case("ngut-8-hardship-years-count-16", "NHA_GIAO_UU_TU", [service(2018, None, hardship=True)],
         {"ngut.service": "met"}, "eligible"),
    case("ngut-7-hardship-years-count-14", "NHA_GIAO_UU_TU", [service(2019, None, hardship=True)],
         {"ngut.service": "not_met"}, "ineligible"),
    case("ngut-manager-20-years-10-teaching", "NHA_GIAO_UU_TU",
         [service(2006, 2015), service(2016, 2025, "managing")], {"ngut.service": "met"},
         "eligible"),
    case("ngut-manager-9-teaching-years", "NHA_GIAO_UU_TU",
         [service(2007, 2015), service(2016, 2025, "managing")], {"ngut.service": "not_met"},
         "ineligible"),
    case("ngut-no-service-data", "NHA_GIAO_UU_TU", [], {"ngut.service": "unknown"}, "incomplete"),
    case("ngnd-holds-ngut-20-years", "NHA_GIAO_NHAN_DAN",
         [award("NHA_GIAO_UU_TU", 2020), service(2006, 2025)],
         {"ngnd.holds_ngut": "met", "ngnd.service": "met"}, "eligible"),
    case("ngnd-without-ngut", "NHA_GIAO_NHAN_DAN", [service(2000, 2025)],
         {"ngnd.holds_ngut": "not_met"}, "ineligible"),
    # General principles (§3.1)
    case("open-hold-blocks", "LAO_DONG_TIEN_TIEN", [rating(2025), hold("2025-11-01")],
         {"general.hold": "not_met"}, "ineligible"),
    case("closed-hold-does-not-block", "LAO_DONG_TIEN_TIEN",
         [rating(2025), hold("2025-03-01", "2025-05-01")], {"general.hold": "met"}, "eligible"),
    case("active-discipline-blocks", "LAO_DONG_TIEN_TIEN",
         [rating(2025), discipline("2025-10-01", "2026-04-01")],
         {"general.discipline": "not_met", "lddt.rating": "not_met"}, "ineligible"),
    case("discipline-after-the-nomination-year-blocks", "LAO_DONG_TIEN_TIEN",
         [rating(2024), discipline("2025-02-01", "2025-08-01")],
         {"general.discipline": "not_met", "lddt.rating": "met"}, "ineligible", year=2024,
         on=date(2025, 3, 1), regime="ND98"),
    case("same-achievement-already-rewarded", "BANG_KHEN_TTG",
         BK_TTG_OK + [award("BANG_KHEN_TINH", 2025, mode="dot_xuat", achievement="A-7")],
         {"general.one_achievement": "not_met"}, "ineligible", mode="dot_xuat", achievement="A-7"),
    case("new-achievement-dot-xuat-needs-an-official", "BANG_KHEN_TTG",
         BK_TTG_OK + [award("BANG_KHEN_TINH", 2025, mode="dot_xuat", achievement="A-7")],
         {"general.one_achievement": "met", "rules.none": "unknown"}, "incomplete", mode="dot_xuat",
         achievement="A-8"),
    case("same-title-same-year-twice", "LAO_DONG_TIEN_TIEN",
         [rating(2025), award("LAO_DONG_TIEN_TIEN", 2025)], {"general.one_achievement": "not_met"},
         "ineligible"),
    case("mode-not-allowed", "LAO_DONG_TIEN_TIEN", [rating(2025)],
         {"general.mode_and_recipient": "not_met"}, "ineligible", mode="dot_xuat"),
    case("recipient-not-allowed", "CSTD_CO_SO", [rating(2025, "xuat_sac")],
         {"general.mode_and_recipient": "not_met"}, "ineligible", recipient_kind="collective"),
    case("award-unknown-everywhere", "NO_SUCH_AWARD", [rating(2025)],
         {"general.mode_and_recipient": "unknown", "rules.none": "unknown"}, "incomplete"),
    # Bắc Ninh layer (QĐ 86/2025/QĐ-UBND)
    case("bk-tinh-national-has-no-automatic-criteria", "BANG_KHEN_TINH", cstdcs(2024, 2025),
         {"rules.none": "unknown"}, "incomplete"),
    case("bk-tinh-bac-ninh-2-consecutive-cstdcs", "BANG_KHEN_TINH", cstdcs(2024, 2025),
         {"bk_tinh.bn.individual": "met"}, "eligible", **BN),
    case("bk-tinh-bac-ninh-old-province-code", "BANG_KHEN_TINH",
         cstdcs(2024, 2025, by=OLD_DISTRICT),
         {"bk_tinh.bn.individual": "met"}, "eligible", province_code=BAC_NINH_OLD),
    case("bk-tinh-bac-ninh-cstdcs-not-consecutive", "BANG_KHEN_TINH", cstdcs(2023, 2025),
         {"bk_tinh.bn.individual": "not_met"}, "ineligible", **BN),
    case("bk-tinh-bac-ninh-2-xuat-sac-years-2-initiatives", "BANG_KHEN_TINH",
         ratings(2024, 2025, "xuat_sac") + [initiative("A", year=2024), initiative("B")],
         {"bk_tinh.bn.individual": "met"}, "eligible", **BN),
    case("bk-tinh-bac-ninh-2-xuat-sac-years-1-initiative", "BANG_KHEN_TINH",
         ratings(2024, 2025, "xuat_sac") + [initiative("A")], {"bk_tinh.bn.individual": "not_met"},
         "ineligible", **BN),
    case("bk-tinh-bac-ninh-previous-rating-missing", "BANG_KHEN_TINH",
         [rating(2025, "xuat_sac"), initiative("A"), initiative("B")],
         {"bk_tinh.bn.individual": "unknown"}, "incomplete", **BN),
    case("bk-tinh-bac-ninh-rules-are-nd152-only", "BANG_KHEN_TINH", cstdcs(2023, 2024),
         {"rules.none": "unknown"}, "incomplete", regime="ND98", year=2024, on=date(2025, 3, 1),
         **BN),
    case("ttldxs-70-percent", "TT_LAO_DONG_XUAT_SAC", [collective(**TTLDXS_OK)],
         {"ttldxs.share": "met", "ttldxs.all_complete": "met"}, "eligible", **BN_COLLECTIVE),
    case("ttldxs-69-percent", "TT_LAO_DONG_XUAT_SAC", [collective(**TTLDXS_OK | {"lddt": 69})],
         {"ttldxs.share": "not_met"}, "ineligible", **BN_COLLECTIVE),
    case("ttldxs-rated-tot", "TT_LAO_DONG_XUAT_SAC", [collective(**TTLDXS_OK, value="tot")],
         {"ttldxs.share": "not_met"}, "ineligible", **BN_COLLECTIVE),
    case("ttldxs-one-member-did-not-complete", "TT_LAO_DONG_XUAT_SAC",
         [collective(**TTLDXS_OK, completed_members=99)], {"ttldxs.all_complete": "not_met"},
         "ineligible", **BN_COLLECTIVE),
    case("ttldxs-cstdcs-count-missing", "TT_LAO_DONG_XUAT_SAC", [collective(100, 70)],
         {"ttldxs.cstdcs": "unknown"}, "incomplete", **BN_COLLECTIVE),
    case("ttldxs-no-collective-data", "TT_LAO_DONG_XUAT_SAC", [], {"ttldxs.share": "unknown"},
         "incomplete", **BN_COLLECTIVE),
    case("ttldtt-70-percent", "TT_LAO_DONG_TIEN_TIEN", [collective(10, 7, value="tot")],
         {"ttldtt.share": "met"}, "eligible", **BN_COLLECTIVE),
    case("ttldtt-69-percent", "TT_LAO_DONG_TIEN_TIEN", [collective(100, 69, value="tot")],
         {"ttldtt.share": "not_met"}, "ineligible", **BN_COLLECTIVE),
    case("ttldtt-member-warned", "TT_LAO_DONG_TIEN_TIEN",
         [collective(10, 8, value="tot", disciplined=1)], {"ttldtt.share": "not_met"}, "ineligible",
         **BN_COLLECTIVE),
]
# fmt: on


@pytest.mark.parametrize(("award_code", "facts", "options", "expected", "outcome"), CASES)
def test_criteria(
    award_code: str,
    facts: list[dict[str, Any]],
    options: dict[str, Any],
    expected: dict[str, str],
    outcome: str,
) -> None:
    verdict = check(award_code, facts, **options)
    found = statuses(verdict)
    assert {code: found.get(code) for code in expected} == expected, verdict.reasons()
    assert verdict.outcome == outcome, verdict.reasons()
    for criterion in verdict.criteria:
        assert criterion.evidence and criterion.citation and criterion.description, criterion
    assert bool(verdict.reasons()) == (outcome != "eligible")
    json.dumps(verdict.to_dict(), ensure_ascii=False)


# ---------------------------------------------------------------- evidence and explanations


def _criterion(verdict: Verdict, code: str) -> Any:
    return next(c for c in verdict.criteria if c.code == code)


def test_streak_evidence_names_each_year_and_the_conferring_agency() -> None:
    facts = cstdcs(2023, 2024, by=OLD_DISTRICT) + cstdcs(2025) + [initiative("SK-T", "bo_tinh")]
    evidence = _criterion(check("CSTD_TINH", facts), "cstd_tinh.streak").evidence
    assert evidence == [
        "2023: CSTĐCS (QĐ 23/QĐ-UBND, D903)",
        "2024: CSTĐCS (QĐ 24/QĐ-UBND, D903)",
        "2025: CSTĐCS (QĐ 25/QĐ-UBND, C30823)",
    ]


def test_dot_xuat_award_is_named_as_not_counted() -> None:
    facts = [award("BANG_KHEN_TINH", 2020, mode="dot_xuat"), *BK_TTG_OK[1:]]
    result = _criterion(check("BANG_KHEN_TTG", facts), "bk_ttg.after_bk_tinh")
    assert any("Không tính 2020: Bằng khen tỉnh" in line and "đột xuất" in line for line in result.evidence)


def test_used_initiative_names_the_award_that_used_it() -> None:
    facts = CSTD_TINH_OK + [award("BANG_KHEN_TINH", 2024, no="7/QĐ-UBND", initiatives=("SK-T",))]
    verdict = check("CSTD_TINH", facts, initiative_ids=("SK-T",))
    assert (
        "SK-T: đã dùng cho 2024: Bằng khen tỉnh (QĐ 7/QĐ-UBND, C30823)"
        in _criterion(verdict, "general.initiative_once").evidence
    )


def test_open_hold_is_named_and_reasons_explain_it() -> None:
    verdict = check("LAO_DONG_TIEN_TIEN", [rating(2025), hold("2025-11-01")])
    assert _criterion(verdict, "general.hold").evidence == [
        "đang giải quyết khiếu nại, tố cáo từ 2025-11-01 (chưa kết thúc)"
    ]
    (reason,) = verdict.reasons()
    assert reason.startswith("Không đạt: Không đang trong thời gian") and "Điều 4" in reason


def test_interpretations_are_marked_configurable() -> None:
    verdict = check("CSTD_TINH", CSTD_TINH_OK)
    assert _criterion(verdict, "cstd_tinh.streak").configurable
    assert not _criterion(verdict, "general.hold").configurable


def test_verdict_round_trips_through_json() -> None:
    verdict = check("BANG_KHEN_TTG", BK_TTG_OK)
    data = json.loads(json.dumps(verdict.to_dict(), ensure_ascii=False))
    assert data["outcome"] == "eligible" and data["rulesets"] == ["national"] and data["on"] == "2025-12-20"
    assert {"code", "description", "status", "evidence", "citation", "configurable"} <= set(data["criteria"][0])


def test_plain_fact_dicts_are_accepted_and_bad_arguments_refused() -> None:
    assert check("LAO_DONG_TIEN_TIEN", [rating(2025)]).outcome == "eligible"
    options = {"year": 2025, "on": ON, "regime": "ND152"}
    assert check_eligibility("LAO_DONG_TIEN_TIEN", [rating(2025)], mode="cong_trang", **options)
    with pytest.raises(ValueError, match="unknown mode 'phong_trao'"):
        check_eligibility("LAO_DONG_TIEN_TIEN", [], mode="phong_trao", **options)  # type: ignore[arg-type]


def test_explicit_rule_set_stack_overrides_the_province() -> None:
    stack = rulesets_for(BAC_NINH_NEW)
    verdict = check("BANG_KHEN_TINH", cstdcs(2024, 2025), rulesets=stack)
    assert verdict.rulesets == ["national", "bac-ninh"] and verdict.outcome == "eligible"


# ---------------------------------------------------------------- history facts


def test_history_round_trips() -> None:
    facts = [
        *CSTD_TINH_OK,
        rating(2025),
        leave(2024),
        discipline("2020-01-01", "2020-06-30"),
        hold("2025-01-01"),
        service(2010, None, hardship=True),
        collective(10, 7),
        award("X", 2020, initiatives=("SK-T",)),
    ]
    history = NomineeHistory.from_facts(facts)
    assert NomineeHistory.from_facts(history.facts()).facts() == history.facts()
    assert [f["kind"] for f in history.facts()] == [f["kind"] for f in facts]
    json.dumps(history.facts())


@pytest.mark.parametrize(
    ("fact", "needle"),
    [
        pytest.param(
            {"kind": "rating", "year": 2025, "rating": "gioi", "agency_code": "C1"},
            "field 'rating'",
            id="bad-rating",
        ),
        pytest.param(
            {"kind": "rating", "year": 2025, "rating": "tot"},
            "field 'agency_code'",
            id="missing-field",
        ),
        pytest.param(
            {"kind": "leave", "year": 2025, "type": "maternity", "days": 3},
            "field 'days'",
            id="extra-field",
        ),
        pytest.param({"kind": "prize", "year": 2025}, "field 'kind'", id="unknown-kind"),
        pytest.param({"year": 2025}, "field 'kind'", id="no-kind"),
        pytest.param(
            {"kind": "hold", "reason": "press", "start": "2025-05-01", "end": "2025-01-01"},
            "end is before start",
            id="hold-ends-before-start",
        ),
        pytest.param(
            {
                "kind": "collective_year",
                "year": 2025,
                "members": 5,
                "lddt_members": 6,
                "disciplined_warning_or_above": 0,
                "rating": "tot",
            },
            "exceeds members",
            id="more-lddt-than-members",
        ),
        pytest.param("rating 2025", "must be a mapping", id="not-a-mapping"),
    ],
)
def test_malformed_fact_names_index_and_field(fact: Any, needle: str) -> None:
    with pytest.raises(ValueError, match="fact #1") as err:
        NomineeHistory.from_facts([rating(2024), fact])
    assert needle in str(err.value)


# ---------------------------------------------------------------- rule set files


def test_shipped_rule_sets_load_and_stack() -> None:
    sets = load_rulesets()
    assert set(sets) == {"national", "bac-ninh"}
    assert [r.code for r in rulesets_for(BAC_NINH_NEW)] == ["national", "bac-ninh"]
    assert [r.code for r in rulesets_for(BAC_NINH_OLD)] == ["national", "bac-ninh"]
    assert [r.code for r in rulesets_for("P01")] == ["national"]
    assert [r.code for r in rulesets_for(None)] == ["national"]


GOOD_CRITERION = """
      - code: x.streak
        rule: consecutive_titles
        description: "Ba lần liên tục"
        params: {PARAMS}
        citation: {instrument: "Luật", article: "Điều 22"}
"""


def _write(tmp_path: Path, body: str, name: str = "broken.yaml") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


def _layer(awards: str) -> str:
    return f"code: broken\nname: Broken\nextends: national\napplies_to: [P99]\nawards:\n{awards}"


@pytest.mark.parametrize(
    ("awards", "field"),
    [
        pytest.param(
            "  CSTD_TINH:\n    replace:"
            + GOOD_CRITERION.replace("{PARAMS}", "{title: CSTD_CO_SO, count: 0, ends: nomination_year}"),
            "replace.0.params.count",
            id="count-below-1",
        ),
        pytest.param(
            "  CSTD_TINH:\n    replace:" + GOOD_CRITERION.replace("{PARAMS}", "{title: CSTD_CO_SO, count: 3}"),
            "replace.0.params.ends",
            id="interpretation-must-be-explicit",
        ),
        pytest.param(
            "  CSTD_TINH:\n    replace:"
            + GOOD_CRITERION.replace("consecutive_titles", "lucky_number").replace("{PARAMS}", "{}"),
            "replace.0.rule",
            id="unknown-rule",
        ),
        pytest.param(
            "  CSTD_TINH:\n    replace:"
            + GOOD_CRITERION.replace("{PARAMS}", "{title: A, count: 3, ends: nomination_year, colour: red}"),
            "replace.0.params.colour",
            id="unknown-parameter",
        ),
        pytest.param(
            "  CSTD_TINH:\n    replace:"
            + GOOD_CRITERION.replace("{PARAMS}", "{title: A, count: 3, ends: nomination_year}").replace(
                '        citation: {instrument: "Luật", article: "Điều 22"}\n', ""
            ),
            "citation",
            id="missing-citation",
        ),
        pytest.param(
            "  CSTD_TINH:\n    criteria:"
            + GOOD_CRITERION.replace("{PARAMS}", "{title: A, count: 3, ends: nomination_year}"),
            "criteria",
            id="layer-gives-criteria",
        ),
    ],
)
def test_malformed_rule_set_names_file_award_and_field(tmp_path: Path, awards: str, field: str) -> None:
    with pytest.raises(RulesetError) as err:
        load_ruleset(_write(tmp_path, _layer(awards)))
    assert "broken.yaml" in str(err.value) and "award 'CSTD_TINH'" in str(err.value) and field in str(err.value)
    assert err.value.award == "CSTD_TINH"


def test_added_criterion_may_not_shadow_a_national_one(tmp_path: Path) -> None:
    shutil.copy(RULESETS_DIR / "national.yaml", tmp_path / "national.yaml")
    _write(
        tmp_path,
        _layer(
            "  CSTD_TINH:\n    add:"
            + GOOD_CRITERION.replace("x.streak", "cstd_tinh.streak").replace(
                "{PARAMS}", "{title: A, count: 3, ends: nomination_year}"
            )
        ),
    )
    with pytest.raises(RulesetError, match=r"broken.yaml: award 'CSTD_TINH', field 'add': .*use replace"):
        load_rulesets(tmp_path)


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(RulesetError, match="broken.yaml"):
        load_ruleset(_write(tmp_path, "code: [unclosed"))


def test_no_history_at_all_is_unknown_not_a_failure():
    """A service holding no facts for the nominee cannot refuse: the verdict is incomplete."""
    verdict = check_eligibility("HCLD_HANG_BA", [], mode="cong_trang", year=2024, on=date(2025, 5, 15), regime="ND98")
    assert verdict.outcome == "incomplete"
    history_criteria = [c for c in verdict.criteria if not c.code.startswith("general.")]
    assert history_criteria and all(c.status == "unknown" for c in history_criteria)
    # A single fact is history: the same award is then judged, and fails for lack of the PM's Bằng khen.
    one_rating = [{"kind": "rating", "year": 2024, "rating": "tot", "agency_code": "U91-0001"}]
    judged = check_eligibility(
        "HCLD_HANG_BA", one_rating, mode="cong_trang", year=2024, on=date(2025, 5, 15), regime="ND98"
    )
    assert judged.outcome == "ineligible"
