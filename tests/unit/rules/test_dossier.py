"""What a dossier must contain at each level, what is missing, and how it is said (shared/rules/dossier.py)."""

from pathlib import Path
from typing import get_args

import pytest

from shared.contracts.nomination import DocumentRef
from shared.rules.catalog import CatalogError, DocumentKind, default_catalog
from shared.rules.deadlines import LEVELS
from shared.rules.dossier import (
    DOCUMENT_NAMES_VI,
    DossierLevels,
    describe_missing,
    load_dossier_levels,
    missing_documents,
    required_documents,
)

CITATION = '{instrument: "Quy định của tỉnh (ví dụ)", confidence: L, configurable: true}'
NONE = DossierLevels()


def ref(kind: str, n: int = 1) -> DocumentRef:
    return DocumentRef(
        kind=kind, agency_code="U91-0001", document_id=f"{kind}-{n}", filename=f"{kind}.pdf", sha256="0" * 64, size=1
    )


def levels_file(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "dossier_levels.yaml"
    path.write_text(body, encoding="utf-8")
    return path


@pytest.mark.parametrize("level", LEVELS)
def test_a_labour_order_needs_the_submission_the_report_and_the_minutes_at_every_level(level: str) -> None:
    assert required_documents(default_catalog(), "HCLD_HANG_BA", level) == [
        "to_trinh",
        "bao_cao_thanh_tich",
        "bien_ban_hoi_dong",
    ]


def test_an_award_with_a_required_ballot_also_needs_the_ballot_results_in_catalog_order() -> None:
    assert default_catalog().award("CSTD_CO_SO").ballot.required
    assert required_documents(default_catalog(), "CSTD_CO_SO", "commune") == [
        "to_trinh",
        "bao_cao_thanh_tich",
        "bien_ban_hoi_dong",
        "ket_qua_bo_phieu",
        "xac_nhan_sang_kien",
    ]
    assert required_documents(default_catalog(), "CO_THI_DUA_TINH", "province") == [
        "to_trinh",
        "bao_cao_thanh_tich",
        "bien_ban_hoi_dong",
        "ket_qua_bo_phieu",
    ]


def test_the_shipped_file_changes_nothing() -> None:
    assert load_dossier_levels().overrides == ()
    catalog = default_catalog()
    for code, entry in catalog.awards.items():
        assert required_documents(catalog, code, "province") == list(entry.dossier), code


def test_a_level_override_adds_and_drops_but_never_the_results_of_a_required_ballot(tmp_path: Path) -> None:
    levels = load_dossier_levels(
        levels_file(
            tmp_path,
            f"""
overrides:
  - level: commune
    add: [y_kien_hiep_y]
    drop: [ket_qua_bo_phieu, xac_nhan_sang_kien]
    citation: {CITATION}
  - level: commune
    awards: [LAO_DONG_TIEN_TIEN]
    add: [xac_nhan_thanh_tich]
    drop: [y_kien_hiep_y]
    citation: {CITATION}
""",
        )
    )
    catalog = default_catalog()
    assert required_documents(catalog, "CSTD_CO_SO", "commune", levels=levels) == [
        "to_trinh",
        "bao_cao_thanh_tich",
        "bien_ban_hoi_dong",
        "ket_qua_bo_phieu",
        "y_kien_hiep_y",
    ]
    # The award's own override applies after the one for every award.
    assert required_documents(catalog, "LAO_DONG_TIEN_TIEN", "commune", levels=levels) == [
        "to_trinh",
        "bao_cao_thanh_tich",
        "bien_ban_hoi_dong",
        "xac_nhan_thanh_tich",
    ]
    assert required_documents(catalog, "CSTD_CO_SO", "province", levels=levels) == [
        "to_trinh",
        "bao_cao_thanh_tich",
        "bien_ban_hoi_dong",
        "ket_qua_bo_phieu",
        "xac_nhan_sang_kien",
    ]


def test_an_unknown_level_or_award_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown level 'huyen'"):
        required_documents(default_catalog(), "HCLD_HANG_BA", "huyen", levels=NONE)
    with pytest.raises(KeyError, match="NO_SUCH_AWARD"):
        required_documents(default_catalog(), "NO_SUCH_AWARD", "province", levels=NONE)


def test_missing_documents_are_exact_and_in_the_order_required() -> None:
    required = ["to_trinh", "bao_cao_thanh_tich", "bien_ban_hoi_dong", "ket_qua_bo_phieu", "xac_nhan_sang_kien"]
    manifest = [ref("xac_nhan_sang_kien"), ref("to_trinh"), ref("to_trinh", 2), ref("y_kien_hiep_y")]
    assert missing_documents(required, manifest) == ["bao_cao_thanh_tich", "bien_ban_hoi_dong", "ket_qua_bo_phieu"]
    assert missing_documents(required, []) == required
    assert missing_documents(required, [ref(kind) for kind in reversed(required)]) == []


def test_the_missing_items_are_named_in_vietnamese() -> None:
    assert describe_missing(["bao_cao_thanh_tich", "bien_ban_hoi_dong"]) == (
        "Thiếu: Báo cáo thành tích; Biên bản họp Hội đồng TĐKT"
    )
    assert describe_missing([]) == "Hồ sơ đủ thành phần."
    assert set(DOCUMENT_NAMES_VI) == set(get_args(DocumentKind))


@pytest.mark.parametrize(
    ("body", "entry", "field", "message"),
    [
        ("levels: {}", None, "overrides", "list 'overrides'"),
        ("overrides: []\nextra: 1", None, "extra", "unknown top-level key"),
        (
            f"overrides:\n  - {{level: huyen, add: [to_trinh], citation: {CITATION}}}",
            "overrides #1 (huyen)",
            "level",
            "Input should be",
        ),
        (
            f"overrides:\n  - {{level: province, add: [giay_moi], citation: {CITATION}}}",
            "overrides #1 (province)",
            "add.0",
            "Input should be",
        ),
        (
            f"overrides:\n  - {{level: province, citation: {CITATION}}}",
            "overrides #1 (province)",
            "add",
            "add or drop at least one",
        ),
        (
            f"overrides:\n  - {{level: province, add: [to_trinh], drop: [to_trinh], citation: {CITATION}}}",
            "overrides #1 (province)",
            "drop",
            "both added and dropped",
        ),
        ("overrides:\n  - {level: province, add: [to_trinh]}", "overrides #1 (province)", "citation", "Field required"),
        (
            f"overrides:\n  - {{level: province, awards: [BANG_KHEN_X], add: [to_trinh], citation: {CITATION}}}",
            "overrides #1 (province)",
            "awards",
            "unknown award 'BANG_KHEN_X'",
        ),
        (
            f"overrides:\n  - {{level: commune, awards: [CSTD_CO_SO], drop: [ket_qua_bo_phieu], citation: {CITATION}}}",
            "overrides #1 (commune)",
            "drop",
            "requires a secret ballot",
        ),
        (
            f"overrides:\n  - {{level: province, add: [y_kien_hiep_y], citation: {CITATION}}}\n"
            f"  - {{level: province, drop: [bien_ban_hoi_dong], citation: {CITATION}}}",
            "overrides #2 (province)",
            "awards",
            "already has an override for every award (overrides #1 (province))",
        ),
        ("overrides: [", None, None, "not valid YAML"),
    ],
)
def test_a_malformed_levels_file_is_refused_naming_file_entry_and_field(
    tmp_path: Path,
    body: str,
    entry: str | None,
    field: str | None,
    message: str,
) -> None:
    with pytest.raises(CatalogError) as caught:
        load_dossier_levels(levels_file(tmp_path, body))
    error = caught.value
    assert (error.file, error.entry, error.field) == ("dossier_levels.yaml", entry, field)
    assert message in str(error) and str(error).startswith("dossier_levels.yaml")
