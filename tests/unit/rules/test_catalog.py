"""The award catalog as data: the shipped files load, say what domain.md says, and bad files fail
with a `CatalogError` that names the file, the entry and the field."""

import copy
import json
import shutil
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.rules.catalog import (
    CITED_FIELDS,
    DATA_DIR,
    Catalog,
    CatalogError,
    default_catalog,
    load_catalog,
)
from shared.rules.schema import SCHEMA_PATH, AwardCatalogFile, catalog_file_schema, schema_text

TITLES = [
    "CSTD_TOAN_QUOC",
    "CSTD_TINH",
    "CSTD_CO_SO",
    "LAO_DONG_TIEN_TIEN",
    "CHIEN_SI_TIEN_TIEN",
    "CO_THI_DUA_CP",
    "CO_THI_DUA_TINH",
    "TT_LAO_DONG_XUAT_SAC",
    "TT_LAO_DONG_TIEN_TIEN",
    "XA_TIEU_BIEU",
    "THON_VAN_HOA",
    "GIA_DINH_VAN_HOA",
]
FORMS = ["BANG_KHEN_TTG", "BANG_KHEN_TINH", "GIAY_KHEN", "KY_NIEM_CHUONG"]
CLASSED_ORDERS = ["HC_DOC_LAP", "HC_QUAN_CONG", "HCLD", "HC_BAO_VE_TO_QUOC", "HC_CHIEN_CONG"]
ORDERS = (
    ["HC_SAO_VANG", "HC_HO_CHI_MINH"]
    + [f"{o}_HANG_{c}" for o in CLASSED_ORDERS for c in ("NHAT", "NHI", "BA")]
    + ["HC_DAI_DOAN_KET", "HC_DUNG_CAM", "HC_HUU_NGHI", "HUY_CHUONG"]
)
HONOURS = [
    "ANH_HUNG_LAO_DONG",
    "ANH_HUNG_LLVTND",
    "BA_ME_VN_ANH_HUNG",
    "NHA_GIAO_NHAN_DAN",
    "NHA_GIAO_UU_TU",
    "THAY_THUOC_NHAN_DAN",
    "THAY_THUOC_UU_TU",
    "NGHE_SI_NHAN_DAN",
    "NGHE_SI_UU_TU",
    "NGHE_NHAN_NHAN_DAN",
    "NGHE_NHAN_UU_TU",
    "GIAI_THUONG_HCM",
    "GIAI_THUONG_NHA_NUOC",
]
BY_FILE = {
    "catalog/titles.yaml": TITLES,
    "catalog/forms.yaml": FORMS,
    "catalog/orders.yaml": ORDERS,
    "catalog/honours.yaml": HONOURS,
}
REGIMES = ("ND98", "ND152")
PM_AWARDS = ["CSTD_TOAN_QUOC", "CO_THI_DUA_CP", "BANG_KHEN_TTG"]
PRESIDENT_AWARDS = ORDERS + HONOURS


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


# --- The shipped catalog -------------------------------------------------------------------------


def test_the_shipped_catalog_loads(catalog: Catalog):
    assert [r.code for r in catalog.regimes] == list(REGIMES)
    assert catalog.awards.keys() == default_catalog().awards.keys()


@pytest.mark.parametrize("file", sorted(BY_FILE))
def test_every_listed_code_is_in_its_file(catalog: Catalog, file: str):
    missing = [code for code in BY_FILE[file] if code not in catalog.awards]
    assert not missing, f"{file} lacks {missing}"
    assert {code: catalog.sources[code] for code in BY_FILE[file]} == dict.fromkeys(BY_FILE[file], file)


def test_every_entry_cites_every_field(catalog: Catalog):
    for code, award in catalog.awards.items():
        for field in CITED_FIELDS:
            assert field in award.citations, f"{code}: no citation for {field}"
        if award.lower_forms:
            assert "lower_forms" in award.citations, f"{code}: lower_forms need a citation"
            assert award.citations["lower_forms"].configurable, f"{code}: lower forms are configuration, not law"
        for field, citation in award.citations.items():
            assert citation.instrument.strip() and (citation.article or citation.source), f"{code}.{field}"
            if citation.confidence == "L":
                # A guess is never presented as law: it is a configurable default with a reason.
                assert citation.configurable and citation.note, f"{code}.{field}: L needs configurable and a note"


def test_names_keep_their_vietnamese_diacritics(catalog: Catalog):
    for award in catalog.awards.values():
        assert unicodedata.is_normalized("NFC", award.name_vi), award.code
    expected = {
        "CSTD_CO_SO": "Chiến sĩ thi đua cơ sở",
        "THON_VAN_HOA": "Thôn, tổ dân phố văn hóa",
        "GIA_DINH_VAN_HOA": "Gia đình văn hóa",
        "BANG_KHEN_TTG": "Bằng khen của Thủ tướng Chính phủ",
        "KY_NIEM_CHUONG": "Kỷ niệm chương",
        "HC_DOC_LAP_HANG_NHAT": "Huân chương Độc lập hạng Nhất",
        "HCLD_HANG_NHI": "Huân chương Lao động hạng Nhì",
        "HC_BAO_VE_TO_QUOC_HANG_BA": "Huân chương Bảo vệ Tổ quốc hạng Ba",
        "HC_DAI_DOAN_KET": "Huân chương Đại đoàn kết dân tộc",
        "ANH_HUNG_LLVTND": "Anh hùng Lực lượng vũ trang nhân dân",
        "BA_ME_VN_ANH_HUNG": "Bà mẹ Việt Nam anh hùng",
        "NHA_GIAO_UU_TU": "Nhà giáo ưu tú",
        "GIAI_THUONG_HCM": "Giải thưởng Hồ Chí Minh",
    }
    assert {code: catalog.award(code).name_vi for code in expected} == expected


def test_every_award_speaks_for_both_regimes(catalog: Catalog):
    for award in catalog.awards.values():
        assert set(award.conferred_by) == set(REGIMES), award.code
        assert all(award.authorities(r) for r in REGIMES), f"{award.code} exists in both regimes"


def test_no_district_chairman_after_the_reform(catalog: Catalog):
    listing = [code for code, award in catalog.awards.items() if "district_chair" in award.authorities("ND152")]
    assert listing == []


@pytest.mark.parametrize(
    "code", ["THON_VAN_HOA", "CSTD_CO_SO", "TT_LAO_DONG_TIEN_TIEN", "LAO_DONG_TIEN_TIEN", "GIAY_KHEN"]
)
def test_district_powers_move_to_the_commune_chairman(catalog: Catalog, code: str):
    # Law Art. 80(2) before 2025-07-01; Decree 129/2025 Art. 59 after.
    award = catalog.award(code)
    assert "district_chair" in award.authorities("ND98")
    assert "commune_chair" in award.authorities("ND152")
    assert set(award.authorities("ND152")) - {"commune_chair"} == set(award.authorities("ND98")) - {
        "district_chair",
        "commune_chair",
    }
    if code in ("THON_VAN_HOA", "CSTD_CO_SO", "TT_LAO_DONG_TIEN_TIEN"):  # the commune chairman gained them
        assert "commune_chair" not in award.authorities("ND98")


def test_thon_van_hoa_and_gia_dinh_van_hoa(catalog: Catalog):
    assert catalog.award("THON_VAN_HOA").conferred_by == {"ND98": ["district_chair"], "ND152": ["commune_chair"]}
    assert catalog.award("GIA_DINH_VAN_HOA").conferred_by == {"ND98": ["commune_chair"], "ND152": ["commune_chair"]}
    assert catalog.award("GIA_DINH_VAN_HOA").recipients == ["household"]


def test_prime_minister_and_president_awards(catalog: Catalog):
    for code in PM_AWARDS:
        award = catalog.award(code)
        assert award.conferred_by == {"ND98": ["prime_minister"], "ND152": ["prime_minister"]}, code
        assert award.level == "nha_nuoc"
    for code in PRESIDENT_AWARDS:
        award = catalog.award(code)
        assert award.conferred_by == {"ND98": ["president"], "ND152": ["president"]}, code
        assert award.proposed_by == ["prime_minister"], code
        assert award.level == "nha_nuoc", code
    for code, award in catalog.awards.items():
        if code not in PRESIDENT_AWARDS:
            assert award.proposed_by == [], code
        if code not in PM_AWARDS + PRESIDENT_AWARDS:
            assert not {"prime_minister", "president"} & {a for r in REGIMES for a in award.authorities(r)}, code


def test_ministry_and_province_awards(catalog: Catalog):
    for code in ("CSTD_TINH", "CO_THI_DUA_TINH", "TT_LAO_DONG_XUAT_SAC", "BANG_KHEN_TINH"):
        assert catalog.award(code).conferred_by == {r: ["province_chair", "minister"] for r in REGIMES}, code
    assert catalog.award("KY_NIEM_CHUONG").conferred_by == {r: ["minister"] for r in REGIMES}
    xa = catalog.award("XA_TIEU_BIEU")
    assert xa.conferred_by == {r: ["province_chair"] for r in REGIMES}
    # Who confers it was not found: a documented default, not law.
    assert xa.citations["conferred_by"].confidence == "L" and xa.citations["conferred_by"].configurable


def test_categories_classes_and_levels(catalog: Catalog):
    categories = {code: award.category for code, award in catalog.awards.items()}
    assert {categories[c] for c in TITLES} == {"danh_hieu_thi_dua"}
    assert [categories[c] for c in FORMS] == ["bang_khen", "bang_khen", "giay_khen", "ky_niem_chuong"]
    assert {categories[c] for c in ORDERS if c != "HUY_CHUONG"} == {"huan_chuong"}
    assert categories["HUY_CHUONG"] == "huy_chuong"
    assert {categories[c] for c in HONOURS if not c.startswith("GIAI_THUONG")} == {"danh_hieu_vinh_du"}
    assert categories["GIAI_THUONG_HCM"] == categories["GIAI_THUONG_NHA_NUOC"] == "giai_thuong"
    for order in CLASSED_ORDERS:
        assert [catalog.award(f"{order}_HANG_{c}").award_class for c in ("NHAT", "NHI", "BA")] == [1, 2, 3]
    assert all(catalog.award(c).award_class is None for c in TITLES + FORMS + HONOURS)
    levels = {code: award.level for code, award in catalog.awards.items()}
    assert {c for c, level in levels.items() if level == "co_so"} == {
        "CSTD_CO_SO",
        "LAO_DONG_TIEN_TIEN",
        "CHIEN_SI_TIEN_TIEN",
        "TT_LAO_DONG_TIEN_TIEN",
        "THON_VAN_HOA",
        "GIA_DINH_VAN_HOA",
        "GIAY_KHEN",
    }


BALLOTS = {
    # Decree 98 Art. 30(7): 90% of total members for the heroes, CSTĐ toàn quốc and CSTĐ bộ/tỉnh ...
    "ANH_HUNG_LAO_DONG": 0.9,
    "ANH_HUNG_LLVTND": 0.9,
    "CSTD_TOAN_QUOC": 0.9,
    "CSTD_TINH": 0.9,
    # ... 80% for CSTĐCS, Cờ thi đua bộ/tỉnh and Cờ thi đua của Chính phủ.
    "CSTD_CO_SO": 0.8,
    "CO_THI_DUA_TINH": 0.8,
    "CO_THI_DUA_CP": 0.8,
}


def test_ballot_thresholds(catalog: Catalog):
    for code, award in catalog.awards.items():
        assert award.ballot.required == (code in BALLOTS), code
        if award.ballot.required:
            assert award.ballot.threshold == BALLOTS[code], code
            assert award.ballot.denominator == "total_members"
            assert "ket_qua_bo_phieu" in award.dossier, code
            # Decree 152's replacement clause was not found: configurable for both regimes.
            assert award.citations["ballot"].configurable, code


def test_dossiers(catalog: Catalog):
    for code, award in catalog.awards.items():
        assert award.dossier[0] == "to_trinh", code
    for code in ("CSTD_TOAN_QUOC", "CSTD_TINH", "CSTD_CO_SO"):  # Law Art. 84(1): CSTĐ at any level
        assert "xac_nhan_sang_kien" in catalog.award(code).dossier, code


def test_public_posting(catalog: Catalog):
    posting = {code: award.public_posting for code, award in catalog.awards.items()}
    for code in ORDERS[:-1] + HONOURS[:-2]:  # orders and state honorary titles: the proposer publishes
        assert posting[code].required and posting[code].working_days == 10, code
        assert posting[code].by in ("proposer", "proposer_and_central_board"), code
    for code in ("ANH_HUNG_LAO_DONG", "ANH_HUNG_LLVTND"):
        assert posting[code].by == "proposer_and_central_board"
    assert (posting["CSTD_TOAN_QUOC"].by, posting["CSTD_TOAN_QUOC"].working_days) == ("central_board", 10)
    posted = {c for c, p in posting.items() if p.required}
    assert posted == set(ORDERS[:-1] + HONOURS[:-2] + ["CSTD_TOAN_QUOC"])


def test_bonus_coefficients_from_the_brief(catalog: Catalog):
    individual = {
        "CSTD_TOAN_QUOC": 4.5,
        "CSTD_TINH": 3.0,
        "CSTD_CO_SO": 1.0,
        "LAO_DONG_TIEN_TIEN": 0.3,
        "CHIEN_SI_TIEN_TIEN": 0.3,
    }
    collective = {
        "CO_THI_DUA_CP": 12.0,
        "CO_THI_DUA_TINH": 8.0,
        "TT_LAO_DONG_XUAT_SAC": 1.5,
        "TT_LAO_DONG_TIEN_TIEN": 0.8,
        "XA_TIEU_BIEU": 2.0,
        "THON_VAN_HOA": 1.5,
        # Decree 152 Art. 51 and 54
        "HC_SAO_VANG": 92.0,
        "HC_HO_CHI_MINH": 61.0,
        "HC_DOC_LAP_HANG_NHAT": 30.0,
        "HC_DOC_LAP_HANG_NHI": 25.0,
        "HC_QUAN_CONG_HANG_NHAT": 30.0,
        "HC_QUAN_CONG_HANG_NHI": 25.0,
        "HCLD_HANG_NHAT": 18.0,
        "HCLD_HANG_NHI": 15.0,
        "HCLD_HANG_BA": 9.0,
        "HC_CHIEN_CONG_HANG_NHAT": 18.0,
        "HC_BAO_VE_TO_QUOC_HANG_NHAT": 18.0,
        "HC_BAO_VE_TO_QUOC_HANG_BA": 9.0,
        "HC_DAI_DOAN_KET": 15.0,
        "HC_DUNG_CAM": 9.0,
        "BANG_KHEN_TTG": 7.0,
        "BANG_KHEN_TINH": 3.0,
        "GIAY_KHEN": 0.6,
    }
    assert {c: catalog.award(c).bonus.individual for c in individual} == individual
    assert {c: catalog.award(c).bonus.collective for c in collective} == collective
    # Individual order coefficients are not in the brief: documented, configurable defaults.
    for code in ORDERS:
        assert catalog.award(code).citations["bonus"].confidence == "L", code


def test_lower_forms_are_configured_examples_only(catalog: Catalog):
    with_lower = {code: award.lower_forms for code, award in catalog.awards.items() if award.lower_forms}
    assert with_lower == {"HCLD_HANG_NHI": ["HCLD_HANG_BA"]}
    assert catalog.award("HCLD_HANG_NHI").citations["lower_forms"].confidence == "L"


def test_recipients(catalog: Catalog):
    for code in ("BANG_KHEN_TTG", "BANG_KHEN_TINH", "GIAY_KHEN"):
        assert catalog.award(code).recipients == ["individual", "collective", "household"], code
    for code in ORDERS[:-1]:
        assert catalog.award(code).recipients == ["individual", "collective"], code
    for code in ("ANH_HUNG_LAO_DONG", "ANH_HUNG_LLVTND"):
        assert catalog.award(code).recipients == ["individual", "collective"], code


# --- Malformed or contradictory files --------------------------------------------------------------

CITE = {"instrument": "Luật Thi đua, khen thưởng 06/2022/QH15", "article": "Điều 1"}


def award(code: str = "TEST_AWARD", **changes: Any) -> dict[str, Any]:
    """A small valid entry; `changes` replace top-level fields."""
    entry: dict[str, Any] = {
        "code": code,
        "name_vi": "Giấy khen thử nghiệm",
        "name_en": "Test certificate",
        "category": "giay_khen",
        "level": "co_so",
        "recipients": ["individual"],
        "modes": ["cong_trang"],
        "conferred_by": {"ND98": ["commune_chair"], "ND152": ["commune_chair"]},
        "ballot": {"required": False},
        "dossier": ["to_trinh", "bien_ban_hoi_dong"],
        "public_posting": {"required": False},
        "bonus": {"individual": 0.3},
        "citations": {field: dict(CITE) for field in CITED_FIELDS},
    }
    entry.update(copy.deepcopy(changes))
    return entry


def dump(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def data_dir(tmp_path: Path, catalog_files: dict[str, str], *, regimes: Any = None, authorities: Any = None) -> Path:
    """A rules directory with the real regimes and authorities (or edited copies) and the given catalog files."""
    (tmp_path / "catalog").mkdir()
    for name, edited in (("regimes.yaml", regimes), ("authorities.yaml", authorities)):
        if edited is None:
            shutil.copy(DATA_DIR / name, tmp_path / name)
        else:
            (tmp_path / name).write_text(dump(edited), encoding="utf-8")
    for name, text in catalog_files.items():
        (tmp_path / "catalog" / name).write_text(text, encoding="utf-8")
    return tmp_path


def real(name: str) -> Any:
    return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))


def fails(directory: Path) -> CatalogError:
    with pytest.raises(CatalogError) as caught:
        load_catalog(directory)
    return caught.value


def test_the_small_entry_is_valid(tmp_path: Path):
    loaded = load_catalog(data_dir(tmp_path, {"a.yaml": dump({"awards": [award()]})}))
    assert list(loaded.awards) == ["TEST_AWARD"] and loaded.sources["TEST_AWARD"] == "catalog/a.yaml"


def without(d: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in d.items() if k != key}


ENTRY_CASES = [
    # (id, entry, field, words in the message)
    ("unknown-category", award(category="bang_khen_xa"), "category", "danh_hieu_thi_dua"),
    (
        "ballot-without-threshold",
        award(ballot={"required": True}, dossier=["to_trinh", "ket_qua_bo_phieu"]),
        "ballot.threshold",
        "needs a threshold",
    ),
    ("ballot-without-results", award(ballot={"required": True, "threshold": 0.8}), "dossier", "ket_qua_bo_phieu"),
    (
        "threshold-above-one",
        award(ballot={"required": True, "threshold": 1.5}, dossier=["to_trinh", "ket_qua_bo_phieu"]),
        "ballot.threshold",
        "less than or equal to 1",
    ),
    (
        "unknown-authority",
        award(conferred_by={"ND98": ["commune_chair"], "ND152": ["village_head"]}),
        "conferred_by.ND152",
        "unknown authority 'village_head'",
    ),
    (
        "unknown-regime",
        award(conferred_by={"ND98": ["commune_chair"], "ND152": ["commune_chair"], "ND99": []}),
        "conferred_by.ND99",
        "unknown regime",
    ),
    (
        "regime-missing",
        award(conferred_by={"ND98": ["commune_chair"]}),
        "conferred_by.ND152",
        "says nothing for regime ND152",
    ),
    ("unknown-proposer", award(proposed_by=["governor"]), "proposed_by", "unknown authority 'governor'"),
    (
        "missing-citation",
        award(citations={f: CITE for f in CITED_FIELDS if f != "ballot"}),
        "citations.ballot",
        "citations missing for field(s) ['ballot']",
    ),
    (
        "citation-for-unknown-field",
        award(citations={**{f: CITE for f in CITED_FIELDS}, "ballots": CITE}),
        "citations.ballots",
        "unknown field(s) ['ballots']",
    ),
    (
        "citation-typo",
        award(citations={**{f: CITE for f in CITED_FIELDS}, "ballot": {**CITE, "confidance": "L"}}),
        "citations.ballot.confidance",
        "Extra inputs are not permitted",
    ),
    (
        "bad-confidence",
        award(citations={**{f: CITE for f in CITED_FIELDS}, "bonus": {**CITE, "confidence": "X"}}),
        "citations.bonus.confidence",
        "'H', 'M' or 'L'",
    ),
    ("typo-field", {**award(), "ballots": {"required": False}}, "ballots", "Extra inputs are not permitted"),
    ("missing-field", without(award(), "dossier"), "dossier", "Field required"),
    ("unknown-document", award(dossier=["to_trinh", "bien_ban_hoi_dong", "giay_xac_nhan"]), "dossier.2", "to_trinh"),
    ("repeated-recipient", award(recipients=["individual", "individual"]), "recipients", "lists an item twice"),
    (
        "posting-without-days",
        award(public_posting={"required": True, "by": "proposer"}),
        "public_posting.working_days",
        "needs working_days",
    ),
    (
        "posting-without-publisher",
        award(public_posting={"required": True, "working_days": 10}),
        "public_posting.by",
        "needs by",
    ),
    ("own-lower-form", award(lower_forms=["TEST_AWARD"]), "lower_forms", "its own lower form"),
    ("unknown-lower-form", award(lower_forms=["HCLD_HANG_BON"]), "lower_forms", "unknown award 'HCLD_HANG_BON'"),
    ("negative-bonus", award(bonus={"collective": -1}), "bonus.collective", "greater than or equal to 0"),
    ("class-four", award(award_class=4), "award_class", "less than or equal to 3"),
    ("lowercase-code", award(code="giay_khen_thu"), "code", "should match pattern"),
]


@pytest.mark.parametrize(("entry", "field", "words"), [c[1:] for c in ENTRY_CASES], ids=[c[0] for c in ENTRY_CASES])
def test_a_bad_entry_names_file_entry_and_field(tmp_path: Path, entry: dict[str, Any], field: str, words: str):
    err = fails(data_dir(tmp_path, {"a.yaml": dump({"awards": [award("GOOD_AWARD"), entry]})}))
    assert (err.file, err.entry, err.field) == ("catalog/a.yaml", entry["code"], field)
    assert str(err).startswith(f"catalog/a.yaml: entry '{entry['code']}', field '{field}': ")
    assert words in str(err)


def test_an_entry_without_code_is_named_by_position(tmp_path: Path):
    err = fails(data_dir(tmp_path, {"a.yaml": dump({"awards": [award("GOOD_AWARD"), without(award(), "code")]})}))
    assert (err.file, err.entry, err.field) == ("catalog/a.yaml", "#2", "code")


def test_invalid_yaml(tmp_path: Path):
    err = fails(data_dir(tmp_path, {"a.yaml": dump({"awards": [award()]}), "b.yaml": "awards:\n  - code: [X\n"}))
    assert (err.file, err.entry, err.field) == ("catalog/b.yaml", None, None)
    assert "is not valid YAML" in str(err) and "line" in str(err)


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        (dump([award()]), None, "must be a mapping with a list 'awards'"),
        (dump({"award": [award()]}), None, "must be a mapping with a list 'awards'"),
        (dump({"awards": [award()], "notes": "x"}), "notes", "unknown top-level key(s) ['notes']"),
    ],
)
def test_a_bad_file_shape(tmp_path: Path, text: str, field: str | None, words: str):
    err = fails(data_dir(tmp_path, {"a.yaml": text}))
    assert (err.file, err.entry, err.field) == ("catalog/a.yaml", None, field)
    assert words in str(err)


def test_no_catalog_files(tmp_path: Path):
    err = fails(data_dir(tmp_path, {}))
    assert (err.file, err.entry, err.field) == ("catalog/", None, None)


def test_a_code_defined_in_two_files(tmp_path: Path):
    err = fails(
        data_dir(
            tmp_path,
            {"a.yaml": dump({"awards": [award("SAME")]}), "b.yaml": dump({"awards": [award("OTHER"), award("SAME")]})},
        )
    )
    assert (err.file, err.entry, err.field) == ("catalog/b.yaml", "SAME", "code")
    assert "already defined in catalog/a.yaml" in str(err)


def test_overlapping_regimes(tmp_path: Path):
    regimes = real("regimes.yaml")
    nd152 = next(r for r in regimes["regimes"] if r["code"] == "ND152")
    nd152["valid_from"] = date(2025, 6, 1)
    err = fails(data_dir(tmp_path, {"a.yaml": dump({"awards": [award()]})}, regimes=regimes))
    assert (err.file, err.entry, err.field) == ("regimes.yaml", "ND152", "valid_from")
    assert "overlaps regime ND98" in str(err)


def test_a_regime_that_ends_before_it_starts(tmp_path: Path):
    regimes = real("regimes.yaml")
    regimes["regimes"][0]["valid_to"] = date(2023, 1, 1)
    err = fails(data_dir(tmp_path, {"a.yaml": dump({"awards": [award()]})}, regimes=regimes))
    assert (err.file, err.entry, err.field) == ("regimes.yaml", regimes["regimes"][0]["code"], "valid_to")


def test_a_regime_defined_twice(tmp_path: Path):
    regimes = real("regimes.yaml")
    later = copy.deepcopy(regimes["regimes"][-1])
    later["valid_from"] = date(2030, 1, 1)
    regimes["regimes"][-1]["valid_to"] = date(2029, 12, 31)
    regimes["regimes"].append(later)
    err = fails(data_dir(tmp_path, {"a.yaml": dump({"awards": [award()]})}, regimes=regimes))
    assert (err.file, err.entry, err.field) == ("regimes.yaml", later["code"], "code")


def test_a_bad_regime_policy(tmp_path: Path):
    regimes = real("regimes.yaml")
    regimes["policy"]["basis"] = "arrival_date"
    err = fails(data_dir(tmp_path, {"a.yaml": dump({"awards": [award()]})}, regimes=regimes))
    assert (err.file, err.entry, err.field) == ("regimes.yaml", "policy", "basis")


def extra_authority(code: str, **fields: Any) -> dict[str, Any]:
    return {"code": code, "name_vi": "Trưởng thôn", "name_en": "Village head", "citation": dict(CITE), **fields}


def test_an_agency_kind_held_by_two_authorities(tmp_path: Path):
    authorities = real("authorities.yaml")
    authorities["authorities"].append(extra_authority("village_head", agency_kinds=["commune"]))
    err = fails(data_dir(tmp_path, {"a.yaml": dump({"awards": [award()]})}, authorities=authorities))
    assert (err.file, err.entry, err.field) == ("authorities.yaml", "village_head", "agency_kinds")
    assert "agency kind 'commune' is already held by 'commune_chair'" in str(err)


def test_an_authority_held_by_nobody(tmp_path: Path):
    authorities = real("authorities.yaml")
    authorities["authorities"].append(extra_authority("village_head"))
    err = fails(data_dir(tmp_path, {"a.yaml": dump({"awards": [award()]})}, authorities=authorities))
    assert (err.file, err.entry, err.field) == ("authorities.yaml", "village_head", "agency_kinds")


def test_an_authority_defined_twice(tmp_path: Path):
    authorities = real("authorities.yaml")
    authorities["authorities"].append(extra_authority("commune_chair", agency_kinds=["village"]))
    err = fails(data_dir(tmp_path, {"a.yaml": dump({"awards": [award()]})}, authorities=authorities))
    assert (err.file, err.entry, err.field) == ("authorities.yaml", "commune_chair", "code")


# --- JSON Schema of a catalog file ----------------------------------------------------------------


def test_schema_doc_is_current():
    expected = schema_text()
    current = SCHEMA_PATH.read_text(encoding="utf-8") if SCHEMA_PATH.exists() else ""
    assert current == expected, (
        "docs/catalog.schema.json is out of date with shared/rules/catalog.py; "
        "regenerate it with `python -m shared.rules.schema` and commit the result"
    )


def test_schema_describes_an_award_file():
    schema = catalog_file_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["required"] == ["awards"] and schema["additionalProperties"] is False
    entry = schema["$defs"]["AwardEntry"]
    assert entry["additionalProperties"] is False
    assert set(CITED_FIELDS) <= set(entry["required"])
    assert "ket_qua_bo_phieu" in json.dumps(schema)  # the document kinds are spelled out


@pytest.mark.parametrize("file", sorted(BY_FILE))
def test_every_shipped_file_fits_the_schema_model(file: str):
    AwardCatalogFile.model_validate(yaml.safe_load((DATA_DIR / file).read_text(encoding="utf-8")))
