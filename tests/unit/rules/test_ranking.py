"""Ranking a cluster's year: final totals decide, the tie rule separates equal totals, and a tie
the rule cannot break is refused (never settled by the order of the codes)."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shared.rules.ranking import TieError, rank

F = Fraction


def test_final_totals_decide_and_the_peers_break_a_tie():
    standings = rank(
        {"SGD": F(92), "SYT": F(95), "STC": F(92), "SNV": F(80)},
        peer={"SGD": F(90), "STC": F(88)},
        self_scores={"SGD": F(99), "STC": F(99)},
    )
    assert [(s.agency_code, s.rank) for s in standings] == [("SYT", 1), ("SGD", 2), ("STC", 3), ("SNV", 4)]
    assert standings[1].tie_broken_by == "peer" and standings[0].tie_broken_by is None


def test_a_tie_the_rule_cannot_break_is_refused_with_the_members_named():
    with pytest.raises(TieError) as refused:
        rank({"A": F(90), "B": F(90), "C": F(70)}, peer={"A": F(85), "B": F(85)}, tie_rule="peer")
    assert refused.value.tied == ("A", "B")
    with pytest.raises(TieError):
        rank({"A": F(90), "B": F(90)}, tie_rule="none")


@given(st.dictionaries(st.sampled_from("ABCDEFGH"), st.integers(0, 100), min_size=1))
def test_distinct_totals_rank_each_member_once_best_first(totals):
    if len(set(totals.values())) != len(totals):
        return
    standings = rank({code: F(points) for code, points in totals.items()}, tie_rule="none")
    assert [s.rank for s in standings] == list(range(1, len(totals) + 1))
    assert [s.final for s in standings] == sorted((F(v) for v in totals.values()), reverse=True)


def test_the_standing_says_which_step_of_the_rule_broke_its_tie():
    standings = rank({"A": F(90), "B": F(90)}, peer={"A": F(80), "B": F(80)}, self_scores={"A": F(95), "B": F(90)})
    assert [(s.agency_code, s.tie_broken_by) for s in standings] == [("A", "self"), ("B", "self")]
