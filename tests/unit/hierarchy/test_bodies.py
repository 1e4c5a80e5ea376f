"""What a registration of a grassroots body must say, checked without a database (decision 0015)."""

import unicodedata
from datetime import date

import pytest

from shared.hierarchy.bodies import KINDS, Body, body_problems, kind_named, registration, tier_named
from shared.rules.catalog import default_catalog

DAY = date(2025, 8, 1)


def body(**change: object) -> Body:
    fields: dict = {
        "code": "U91-0101",
        "name": "Trường Trung học cơ sở Bình Sơn",
        "kind": "school",
        "tier": "unit",
        "parent_code": "C30823",
        "valid_from": DAY,
        **change,
    }
    return Body(**fields)


def test_every_registrable_kind_has_an_authority_so_its_head_has_a_place_on_a_route():
    catalog = default_catalog()
    assert {kind for kind in KINDS if catalog.authority_of_agency("X-1", kind) is None} == set()
    # The administrative units and the State's bodies are not registered by an admin.
    assert not {"province", "city", "district", "commune", "ward", "ministry", "central_body"} & set(KINDS)


@pytest.mark.parametrize("code", ["U91-0101", "SGD-P91", "U-BGDDT-0002", "SYT-P91-BV01", "A1-B2-C3-D4"])
def test_codes_in_hyphenated_groups_are_accepted(code):
    assert body_problems(body(code=code)) == []


@pytest.mark.parametrize("code", ["P91", "D903", "C30823", "U91_0101", "-U91", "91-U", "U91-", "A-B-C-D-E", "U 91"])
def test_codes_that_could_be_an_administrative_unit_or_are_malformed_are_refused(code):
    [problem] = body_problems(body(code=code, parent_code="P91" if code != "P91" else "C30823"))
    assert problem.field == "code" and "is not valid" in problem.en and "không hợp lệ" in problem.vi


@pytest.mark.parametrize("code", ["TW-MOI", "B-BMOI"])
def test_the_prefixes_of_the_states_bodies_are_kept(code):
    [problem] = body_problems(body(code=code))
    assert "kept for the central bodies" in problem.en


def test_each_problem_is_said_in_both_languages():
    problems = body_problems(
        body(name=" ", kind="province", tier="central", parent_code="", location_code="X1", legal_basis="x" * 501)
    )
    assert [p.field for p in problems] == ["name", "kind", "tier", "parent_code", "location_code", "legal_basis"]
    assert all(p.vi and p.en and p.vi != p.en for p in problems)
    assert str(problems[1]).startswith("the kind 'province' cannot be registered; use one of: school")
    assert body_problems(body(parent_code="U91-0101"))[0].en == "a body cannot manage itself"


def test_a_registration_is_tidied_as_a_person_wrote_it():
    written = registration(
        code=" u91-0101 ",
        name=unicodedata.normalize("NFD", "Trường  Tiểu học\tBình Sơn "),
        kind="Trường học",
        tier="Cấp tỉnh",
        parent_code="c30823",
        valid_from=DAY,
        location_code=" ",
        legal_basis="",
    )
    assert written == Body("U91-0101", "Trường Tiểu học Bình Sơn", "school", "province", "C30823", DAY)
    assert written.row()["search_name"] == "truong tieu hoc binh son"


def test_kinds_and_tiers_by_their_vietnamese_words_with_or_without_diacritics():
    assert [kind_named(w) for w in ("school", "truong hoc", "Sở", "Doanh nghiệp", "hop tac xa", "xã")] == [
        "school",
        "school",
        "department",
        "enterprise",
        "cooperative",
        None,
    ]
    assert [tier_named(w) for w in ("unit", "Cơ sở", "huyện", "CẤP TỈNH", "central")] == [
        "unit",
        "unit",
        "district",
        "province",
        None,
    ]
