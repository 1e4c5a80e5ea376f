"""Properties of plan validation over any plan built from merges, splits, renames, moves and
dissolutions on a small tree (hypothesis): a plan is either refused as a whole, naming an
operation, with nothing written, or it applies to a tree where every agency's parent is in force,
every closed agency has successors in force, and applying it again changes nothing."""

import copy

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.reorg import PlanError, apply_plan, parse_plan
from tests.unit.reorg.test_plan import SMALL, _in_force, _plan

CODES = ["P01", "D001", "C00001", "C00002", "C00003", "C00099", "U01-0001", "C00100", "C00101"]
code = st.sampled_from(CODES)
merges = st.builds(
    lambda into, sources, kind: {
        "op": "merge", "into": into, "name": f"Xã {into}", "kind": kind, "tier": "unit", "parent": "P01",
        "sources": sources,
    },
    code, st.lists(code, min_size=1, max_size=3), st.sampled_from(["commune", "ward"]),
)  # fmt: skip
splits = st.builds(
    lambda source, successors: {"op": "split", "source": source, "successors": successors},
    code, st.lists(code, min_size=1, max_size=3),
)  # fmt: skip
renames = st.builds(lambda c: {"op": "rename", "code": c, "name": f"Tên mới {c}"}, code)
moves = st.builds(lambda c, parent: {"op": "move", "code": c, "parent": parent}, code, code)
dissolutions = st.builds(lambda c, successor: {"op": "dissolve", "code": c, "successor": successor}, code, code)
abolitions = st.just({"op": "abolish_tier", "tier": "district", "powers_to": "commune"})
plans = st.lists(st.one_of(merges, splits, renames, moves, dissolutions, abolitions), min_size=1, max_size=4)


@settings(max_examples=300, derandomize=True, deadline=None)
@given(plans)
def test_a_plan_is_refused_whole_or_leaves_a_consistent_tree(operations: list[dict]) -> None:
    snapshot = copy.deepcopy(SMALL)
    plan = parse_plan(_plan(*operations))
    try:
        applied = apply_plan(snapshot, plan)
    except PlanError as refused:
        assert str(refused).startswith("plan TEST-1: operation #")
        assert snapshot == SMALL  # nothing written, nothing half-done
        return
    assert snapshot == SMALL  # applying computes; writing is the caller's
    after = applied.updated(snapshot)
    tree = _in_force(after, plan.effective)
    for agency in tree.values():
        assert agency["parent_code"] is None or agency["parent_code"] in tree, agency
    for closed, successors in applied.successors.items():
        assert closed not in tree or closed in successors
        assert successors and all(s in tree for s in successors), (closed, successors)
    assert apply_plan(after, plan).is_noop


def test_the_vocabulary_reaches_both_outcomes() -> None:
    """Both outcomes exist in the vocabulary (with the seed above, about one drawn plan in eight applies)."""
    good = [{"op": "rename", "code": "C00001", "name": "Xã Một"}]
    bad = [{"op": "move", "code": "C00001", "parent": "C00001"}]
    assert not apply_plan(SMALL, parse_plan(_plan(*good))).is_noop
    with pytest.raises(PlanError):
        apply_plan(SMALL, parse_plan(_plan(*bad)))
