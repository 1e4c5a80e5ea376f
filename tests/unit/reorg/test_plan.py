"""Reorganization plans as data: the real 2025 plan against the reference tree, and the checks."""

import copy
import dataclasses
from datetime import date
from pathlib import Path

import pytest

from deploy.demo_data import DEMO_UNITS, NATIONAL_BODIES
from services.kit.reorganization.service import known_plans
from shared.hierarchy.reference import SWITCH_DATE, load_reference_hierarchy
from shared.reorg import (
    Application,
    Merge,
    Plan,
    PlanError,
    Split,
    apply_plan,
    legacy_snapshot,
    load_plan,
    parse_plan,
    plan_2025,
)
from shared.reorg.loading import PLANS_DIR
from shared.reorg.snapshot import COMMUNE_KINDS

EXAMPLE = Path(__file__).parents[3] / "shared" / "reorg" / "data" / "example-2026.yaml"
EVE = date(2025, 6, 30)
DIVIDED = "C31268"  # Xã Tân Thạnh (Thới Lai, Cần Thơ): default C31288, other candidate C31666
HON_DAT_SUCCESSORS = ("C30760", "C30817", "C30823", "C30826", "C30835", "C30838")
# Test-only grassroots units in the divided commune, under Huyện Thới Lai (D927).
IN_DIVIDED = [
    {
        "code": code,
        "name": f"Trường demo {code}",
        "tier": "unit",
        "kind": "school",
        "parent_code": "D927",
        "valid_from": date(2000, 1, 1),
        "valid_to": None,
        "successors": [],
        "legal_basis": None,
        "location_code": DIVIDED,
    }
    for code in ("U92-9001", "U92-9002")
]


def _demo_snapshot() -> list[dict]:
    units = [dict(u) for u in DEMO_UNITS]
    for unit in units:
        if unit["code"] == "U91-0001":  # a primary school in Xã Bình Sơn, Huyện Hòn Đất
            unit["location_code"] = "C30823"
    return legacy_snapshot() + [dict(b) for b in NATIONAL_BODIES] + units + copy.deepcopy(IN_DIVIDED)


def _in_force(snapshot: list[dict], on: date) -> dict[str, dict]:
    found: dict[str, dict] = {}
    for v in snapshot:
        if v["valid_from"] <= on and (v["valid_to"] is None or on <= v["valid_to"]):
            assert v["code"] not in found, f"two versions of {v['code']} on {on}"
            found[v["code"]] = v
    return found


@pytest.fixture(scope="module")
def snapshot() -> list[dict]:
    return _demo_snapshot()


@pytest.fixture(scope="module")
def applied(snapshot: list[dict]) -> Application:
    return apply_plan(snapshot, plan_2025())


@pytest.fixture(scope="module")
def after(snapshot: list[dict], applied: Application) -> list[dict]:
    return applied.updated(snapshot)


@pytest.fixture(scope="module")
def new_tree(after: list[dict]) -> dict[str, dict]:
    return _in_force(after, SWITCH_DATE)


def test_counts_in_force_on_2025_07_01(new_tree: dict[str, dict], applied: Application) -> None:
    tiers = [v["tier"] for v in new_tree.values()]
    communes = [v for v in new_tree.values() if v["kind"] in COMMUNE_KINDS]
    assert sum(v["kind"] in {"province", "city"} for v in new_tree.values()) == 34
    assert len(communes) == 3_321
    assert tiers.count("district") == 0
    assert all(v["parent_code"][0] == "P" for v in communes)  # straight under the province
    # 63 provinces, 696 districts, 10,035 communes, and four grassroots units under a district.
    assert len(applied.closed) == 63 + 696 + 10_035 + 4
    assert len(applied.opened) == 34 + 3_321 + 4
    for body in NATIONAL_BODIES:
        assert body["code"] in new_tree and body["code"] not in applied.successors


def test_every_legacy_commune_has_a_successor(applied: Application, new_tree: dict) -> None:
    hierarchy = load_reference_hierarchy()
    legacy = [v for v in legacy_snapshot() if v["kind"] in COMMUNE_KINDS]
    assert len(legacy) == 10_035
    for commune in legacy:
        successors = applied.successors[commune["code"]]
        assert successors and all(new_tree[s]["kind"] in COMMUNE_KINDS for s in successors)
    # Divided communes: every candidate, the published default first.
    for code, candidates in hierarchy.divided_communes.items():
        assert applied.successors[code] == candidates
    assert applied.successors[DIVIDED] == ("C31288", "C31666")


def test_kien_giang_hosts_the_merged_an_giang(applied: Application, new_tree: dict) -> None:
    # Checked against the reference data: P91 was Kiên Giang, An Giang was P89, both go to P91.
    reference = {(v.code, v.valid_from): v for v in load_reference_hierarchy().versions}
    from_2000 = date(2000, 1, 1)
    assert reference[("P91", from_2000)].name == "Tỉnh Kiên Giang"
    assert reference[("P89", from_2000)].name == "Tỉnh An Giang"
    assert reference[("P91", SWITCH_DATE)].name == "Tỉnh An Giang"
    (merge,) = [op for op in plan_2025().operations if isinstance(op, Merge) and op.into == "P91"]
    assert sorted(merge.sources) == ["P89", "P91"] and merge.name == "Tỉnh An Giang"
    assert "NQ 202/2025/QH15" in merge.legal_basis
    assert applied.successors["P89"] == applied.successors["P91"] == ("P91",)
    assert new_tree["P91"]["name"] == "Tỉnh An Giang" and "P89" not in new_tree
    (report,) = [r for r in applied.report if r.operation.endswith("(merge into P91)")]
    assert (sorted(report.closed), report.opened) == (["P89", "P91"], ("P91",))


def test_result_equals_the_reference_2025_tree(new_tree: dict[str, dict]) -> None:
    def shape(code: str, name: str, kind: str, parent: str | None) -> tuple:
        return code, name, kind, parent

    reference = {
        shape(v.code, v.name, v.kind, v.parent_code)
        for v in load_reference_hierarchy().versions
        if v.valid_from == SWITCH_DATE
    }
    ours = {
        shape(v["code"], v["name"], v["kind"], v["parent_code"])
        for v in new_tree.values()
        if v["tier"] == "province" and v["kind"] in {"province", "city"} or v["kind"] in COMMUNE_KINDS
    }
    assert ours == reference


def test_the_reference_tree_already_holds_the_plan() -> None:
    # Same versions from 2025-07-01, same closes and successors: nothing to write.
    reference = [dataclasses.asdict(v) for v in load_reference_hierarchy().versions]
    assert apply_plan(reference, plan_2025()).is_noop


def test_reapplying_is_a_noop(after: list[dict], applied: Application) -> None:
    again = apply_plan(after, plan_2025())
    assert again.is_noop
    assert again.successors == applied.successors and again.moved_units == applied.moved_units
    assert apply_plan(again.updated(after), plan_2025()).is_noop


def test_districts_close_under_nd_129(applied: Application) -> None:
    closed = {c.code: c for c in applied.closed}
    hon_dat = closed["D903"]
    assert (hon_dat.valid_to, hon_dat.successors) == (EVE, HON_DAT_SUCCESSORS)
    assert "NĐ 129/2025/NĐ-CP Điều 59" in str(hon_dat.legal_basis)
    assert closed["D755"].successors == ("C26732",)  # Côn Đảo island district -> its đặc khu
    # QĐ 19/2025: a 2025 unit keeps a source's code, except the 5 đặc khu of island districts.
    new_codes = {op.into for op in plan_2025().operations if isinstance(op, Merge) and op.into not in op.sources}
    assert new_codes == {"C11948", "C19742", "C20333", "C21548", "C26732"}


def test_demo_units_follow_their_commune_or_wait_at_the_province(
    applied: Application, new_tree: dict[str, dict]
) -> None:
    school = applied.moved_units["U91-0001"]
    assert (school.old_parent, school.new_parent, school.rule) == ("D903", "C30823", "location")
    assert new_tree["U91-0001"]["location_code"] == "C30823"
    assert new_tree["C30823"]["name"] == "Xã Bình Sơn"
    # The enterprise has no location: ambiguous, waiting under the province.
    enterprise = applied.ambiguous["U91-0003"]
    assert enterprise.candidates == HON_DAT_SUCCESSORS and "no location" in enterprise.reason
    assert (enterprise.interim_parent, new_tree["U91-0003"]["parent_code"]) == ("P91", "P91")
    assert applied.moved_units["U91-0003"].rule == "escalated_to_province"
    # Under a province or a ministry that keeps its code: untouched.
    for code in ("U91-0002", "U-BGDDT-0001"):
        assert code not in applied.successors and new_tree[code]["valid_from"] == date(2000, 1, 1)


def test_units_in_a_divided_commune_need_a_hint(applied: Application, snapshot: list) -> None:
    for code in ("U92-9001", "U92-9002"):
        waiting = applied.ambiguous[code]
        assert waiting.candidates == ("C31288", "C31666") and DIVIDED in waiting.reason
        assert waiting.interim_parent == "P92"
    plan = plan_2025()
    hinted = plan.model_copy(
        update={
            "operations": [
                op.model_copy(update={"hints": {"U92-9002": "C31666"}})
                if isinstance(op, Split) and op.source == DIVIDED
                else op
                for op in plan.operations
            ]
        }
    )
    result = apply_plan(snapshot, hinted)
    move = result.moved_units["U92-9002"]
    assert (move.new_parent, move.rule) == ("C31666", "hint")
    assert "U92-9002" not in result.ambiguous and "U92-9001" in result.ambiguous


def test_example_plan_applies_after_2025(after: list[dict]) -> None:
    plan = load_plan(EXAMPLE)
    result = apply_plan(after, plan)
    assert {c.code: c.successors for c in result.closed} == {
        "C30823": ("C30823",),
        "U91-0003": ("U91-0003",),
        "U91-0002": ("P91",),
    }
    assert all(c.valid_to == date(2025, 12, 31) for c in result.closed)
    opened = {v["code"]: v for v in result.opened}
    assert opened["C30823"]["name"] == "Xã Bình Sơn Hòn Đất"  # renaming keeps the code
    assert opened["U91-0003"]["parent_code"] == "C30817"
    assert result.moved_units["U91-0003"].rule == "move"
    assert apply_plan(result.updated(after), plan).is_noop


# -- invalid plans --------------------------------------------------------------------------


def _v(code: str, tier: str, kind: str, parent: str | None, **extra: object) -> dict:
    version = {
        "code": code,
        "name": f"Đơn vị {code}",
        "tier": tier,
        "kind": kind,
        "parent_code": parent,
        "valid_from": date(2000, 1, 1),
        "valid_to": None,
        "successors": [],
        "legal_basis": None,
    }
    return version | extra


SMALL = [
    _v("P01", "province", "province", None),
    _v("D001", "district", "district", "P01"),
    _v("C00001", "unit", "commune", "D001"),
    _v("C00002", "unit", "commune", "D001"),
    _v("C00003", "unit", "ward", "D001"),
    _v("C00099", "unit", "commune", "D001", valid_to=date(2020, 12, 31)),
    _v("U01-0001", "unit", "school", "D001", location_code="C00003"),
]


def _plan(*operations: dict) -> dict:
    return {
        "code": "TEST-1",
        "title": "t",
        "effective": date(2026, 1, 1),
        "legal_basis": ["NQ test"],
        "operations": list(operations),
    }


MERGE_1_2 = {
    "op": "merge",
    "into": "C00001",
    "name": "Xã Một",
    "kind": "commune",
    "tier": "unit",
    "parent": "P01",
    "sources": ["C00001", "C00002"],
}


def _rejected(*operations: dict) -> str:
    snapshot = copy.deepcopy(SMALL)
    with pytest.raises(PlanError) as error:
        apply_plan(snapshot, parse_plan(_plan(*operations)))
    assert snapshot == SMALL  # nothing written, nothing half-done
    message = str(error.value)
    assert message.startswith("plan TEST-1: operation #")
    return message


def test_small_plan_applies() -> None:
    split = {
        "op": "split",
        "source": "C00003",
        "successors": ["C00001", "C00003"],
        "default": "C00003",
        "hints": {"U01-0001": "C00001"},
    }
    merge_3 = {
        **MERGE_1_2,
        "into": "C00003",
        "name": "Phường Ba",
        "kind": "ward",
        "sources": ["C00003"],
    }
    result = apply_plan(
        SMALL,
        parse_plan(
            _plan(
                MERGE_1_2,
                merge_3,
                split,
                {"op": "abolish_tier", "tier": "district", "powers_to": "commune"},
            )
        ),
    )
    assert result.successors["C00003"] == ("C00003", "C00001")  # the default first
    assert result.successors["D001"] == ("C00001", "C00003")
    assert result.moved_units["U01-0001"].rule == "hint" and not result.ambiguous


def test_unknown_code() -> None:
    message = _rejected({"op": "rename", "code": "C77777", "name": "Xã Mới"})
    assert "operation #0 (rename C77777) field 'code': C77777 is unknown" in message


def test_unit_merged_twice() -> None:
    other = {**MERGE_1_2, "into": "C00003", "sources": ["C00002", "C00003"]}
    message = _rejected(MERGE_1_2, other)
    assert "operation #1 (merge into C00003) field 'sources': C00002 is merged twice" in message


def test_cycle() -> None:
    message = _rejected({"op": "move", "code": "P01", "parent": "C00001"})
    assert "operation #0 (move P01) field 'parent'" in message and "cycle" in message
    assert "cycle" in _rejected({"op": "move", "code": "C00001", "parent": "C00001"})


def test_retired_code_is_not_reused() -> None:
    message = _rejected({**MERGE_1_2, "into": "C00099"})
    assert "field 'into': C00099 was retired on 2020-12-31" in message
    assert "never reused" in message
    # Nor a code the plan itself retires, nor an agency in force that is not a source.
    assert "never reused" in _rejected(MERGE_1_2, {**MERGE_1_2, "into": "C00002", "sources": ["C00003"]})
    assert "not one of the sources" in _rejected({**MERGE_1_2, "into": "C00003"})


def test_split_default_must_be_a_successor() -> None:
    message = _rejected({"op": "split", "source": "C00003", "successors": ["C00001", "C00002"], "default": "C00005"})
    assert "operation #0 (split C00003) field 'default': C00005 is not among the successors" in message


def test_hint_must_point_at_a_successor() -> None:
    message = _rejected(
        {
            "op": "split",
            "source": "C00003",
            "successors": ["C00001", "C00002"],
            "hints": {"U01-0001": "C00009"},
        }
    )
    assert "field 'hints.U01-0001': hint for U01-0001 points to C00009" in message
    elsewhere = {"op": "split", "source": "C00002", "successors": ["C00001", "C00003"]}
    message = _rejected({**elsewhere, "hints": {"U01-0001": "C00001"}})
    assert "U01-0001 is neither located in nor attached to C00002" in message


def test_no_operation_on_a_retired_unit() -> None:
    message = _rejected(MERGE_1_2, {"op": "dissolve", "code": "C00002"})
    assert (
        "operation #1 (dissolve C00002) field 'code': C00002 was already retired by "
        "operation #0 (merge into C00001)" in message
    )
    abolished = {"op": "abolish_tier", "tier": "district", "powers_to": "commune"}
    message = _rejected(abolished, {"op": "move", "code": "C00001", "parent": "D001"})
    assert "field 'parent': D001 is retired by operation #0 (abolish_tier district)" in message


def test_every_problem_is_reported_at_once() -> None:
    message = _rejected(
        {"op": "rename", "code": "C77777", "name": "x"},
        {"op": "move", "code": "C00001", "parent": "C88888"},
    )
    assert "C77777 is unknown" in message and "C88888 is unknown" in message


def test_shape_errors_name_the_operation_and_field(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match=r"operation #0 \(merge\) field 'sources'"):
        parse_plan(_plan({**MERGE_1_2, "sources": []}))
    with pytest.raises(PlanError, match=r"operation #0 \(rename\) field 'colour'"):
        parse_plan(_plan({"op": "rename", "code": "C00001", "name": "x", "colour": "red"}))
    for day in ("0001-01-01", "9999-12-31"):  # the day before 0001-01-01 would be an overflow, not a sentence
        with pytest.raises(PlanError, match="outside the days this system records"):
            parse_plan({**_plan(MERGE_1_2), "effective": day})
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text(encoding="utf-8").replace("parent: C30817", "parent: U91-0003"))
    with pytest.raises(PlanError, match="under itself is a cycle"):
        load_plan(bad)
    assert isinstance(load_plan(EXAMPLE), Plan)


def test_the_service_offers_every_plan_shipped_in_shared_reorg_data():
    offered = known_plans()
    for path in PLANS_DIR.glob("*.yaml"):
        assert load_plan(path).code in offered
    assert {"VN-2025-07-01", "DEMO-2026-01-01"} <= set(offered)
