"""Properties of the council ballot over any council, attendance, votes and rule (hypothesis):
the result depends only on the yes count against the share of total members, never on the order
of the votes; quorum is presence; nobody votes twice; receipts match the votes cast."""

from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.rules.ballot import AlreadyVotedError, BallotBox, BallotRule, Meeting, QuorumNotMetError
from tests.unit.rules.test_ballot import COUNCIL, DAY, roster

SHARES = st.fractions(min_value=Fraction(1, 20), max_value=1, max_denominator=20)


@st.composite
def ballots(draw: st.DrawFn) -> tuple[int, list[str], dict[str, bool], dict[str, bool], BallotRule]:
    """A council of n, who is present, how each present member and some absentees vote, and the rule."""
    size = draw(st.integers(1, 30))
    members = [f"M{i:02d}" for i in range(1, size + 1)]
    present = draw(st.lists(st.sampled_from(members), unique=True, min_size=1))
    absent = [m for m in members if m not in present]
    votes = draw(st.dictionaries(st.sampled_from(present), st.booleans()))
    written = draw(st.dictionaries(st.sampled_from(absent), st.booleans())) if absent else {}
    rule = BallotRule(award="CSTD_TINH", threshold=draw(SHARES), quorum=draw(SHARES))
    return size, present, votes, written, rule


def opened(size: int, present: list[str], rule: BallotRule) -> BallotBox:
    return BallotBox(roster(size), Meeting(COUNCIL, DAY, 1, frozenset(present)), rule)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(ballots(), st.randoms(use_true_random=False))
def test_the_tally_is_the_yes_share_of_total_members_whatever_the_order(ballot, random) -> None:  # type: ignore[no-untyped-def]
    size, present, votes, written, rule = ballot
    box = opened(size, present, rule)
    order = [*votes.items(), *written.items()]
    random.shuffle(order)
    receipts = [
        box.cast_written(member, yes, written_on=date(2025, 12, 1)) if member in written else box.cast(member, yes)
        for member, yes in order
    ]
    if Fraction(len(present), size) < rule.quorum:
        with pytest.raises(QuorumNotMetError):
            box.tally()
        return
    tally = box.tally()
    yes = sum(votes.values()) + sum(written.values())
    assert (tally.eligible, tally.present, tally.cast, tally.yes) == (size, len(present), len(order), yes)
    assert tally.no == tally.cast - tally.yes and tally.written == len(written)
    assert tally.passed == (yes >= tally.required_yes) == (Fraction(yes, size) >= rule.threshold)
    assert tally.outcome == ("passed" if tally.passed else "second_round")
    assert sorted(receipts) == list(tally.receipts) and len(set(receipts)) == len(receipts)


@settings(max_examples=100, derandomize=True, deadline=None)
@given(ballots())
def test_nobody_votes_twice_in_a_round(ballot) -> None:  # type: ignore[no-untyped-def]
    size, present, votes, _, rule = ballot
    box = opened(size, present, rule)
    for member, yes in votes.items():
        box.cast(member, yes)
    for member, yes in votes.items():
        with pytest.raises(AlreadyVotedError):
            box.cast(member, not yes)
