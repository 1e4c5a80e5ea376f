"""Council secret ballots: thresholds on the roster at the meeting date, quorum, written votes,
one vote per member and round, two rounds at most, receipts, secrecy, minutes, and ballots.yaml."""

from dataclasses import fields, is_dataclass
from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.rules.ballot import (
    AlreadyVotedError,
    BallotBox,
    BallotError,
    BallotRule,
    Meeting,
    Membership,
    NotEligibleError,
    QuorumNotMetError,
    Roster,
    RoundError,
    Tally,
    load_ballot_rules,
    minutes,
    next_round,
    rule_for,
    threshold_for,
)
from shared.rules.catalog import CatalogError

COUNCIL = "P24"
DAY = date(2025, 12, 10)
SINCE = date(2025, 7, 1)


def roster(size: int, *extra: Membership) -> Roster:
    """`size` members since SINCE (M01 chairs), plus any extra memberships."""
    members = [
        Membership(f"M{i:02d}", f"Thành viên số {i:02d}", "chair" if i == 1 else "member", SINCE)
        for i in range(1, size + 1)
    ]
    return Roster(COUNCIL, (*members, *extra))


def ids(count: int, first: int = 1) -> list[str]:
    return [f"M{i:02d}" for i in range(first, first + count)]


def rule(threshold: str = "9/10", **settings: Any) -> BallotRule:
    return BallotRule(award="CSTD_TINH", threshold=Fraction(threshold), **settings)


def box_for(
    council: Roster,
    *,
    present: list[str] | None = None,
    round_: int = 1,
    ballot_rule: BallotRule | None = None,
    previous: Tally | None = None,
    on: date = DAY,
) -> BallotBox:
    if present is None:
        present = [m.member_id for m in council.members_on(on)]
    meeting = Meeting(COUNCIL, on, round_, frozenset(present))
    return BallotBox(council, meeting, ballot_rule or rule(), previous=previous)


def vote(box: BallotBox, yes: int, no: int = 0) -> dict[str, str]:
    """The first `yes` present members vote yes, the next `no` vote no; member → receipt."""
    voters = sorted(box.meeting.present)
    return {m: box.cast(m, index < yes) for index, m in enumerate(voters[: yes + no])}


# --- Thresholds on total membership -----------------------------------------------------------

THRESHOLD_CASES = [
    # members, yes, no, threshold, passes
    ("9-of-10-at-90", 10, 9, 1, "9/10", True),
    ("8-of-10-at-90", 10, 8, 2, "9/10", False),
    ("4-of-5-at-80", 5, 4, 1, "4/5", True),
    ("3-of-5-at-80", 5, 3, 2, "4/5", False),
    ("8-of-9-at-90", 9, 8, 1, "9/10", False),
    ("7-of-10-at-0.7-exactly", 10, 7, 3, "0.7", True),  # 0.7 * 10 > 7 in binary floats
    ("silence-is-not-yes", 10, 8, 0, "4/5", True),
    ("denominator-is-members-not-votes", 10, 7, 0, "4/5", False),  # 7 of 7 cast, 7 of 10 members
]


@pytest.mark.parametrize(
    ("members", "yes", "no", "threshold", "passes"),
    [c[1:] for c in THRESHOLD_CASES],
    ids=[c[0] for c in THRESHOLD_CASES],
)
def test_the_threshold_is_a_share_of_total_members(members, yes, no, threshold, passes):
    box = box_for(roster(members), ballot_rule=rule(threshold))
    vote(box, yes, no)
    tally = box.tally()
    assert (tally.yes, tally.no, tally.cast, tally.eligible) == (yes, no, yes + no, members)
    assert tally.threshold == Fraction(threshold)
    assert tally.passed is passes
    assert tally.outcome == ("passed" if passes else "second_round")


@pytest.mark.parametrize(
    ("award", "level", "members", "required_yes"),
    [
        ("CSTD_TINH", "province", 10, 9),
        ("CSTD_TOAN_QUOC", "central", 10, 9),
        ("CSTD_CO_SO", "unit", 5, 4),
        ("CO_THI_DUA_TINH", "province", 11, 9),
    ],
)
def test_catalog_thresholds_drive_the_tally(award, level, members, required_yes):
    ballot_rule = rule_for(award, level)
    assert ballot_rule is not None
    for yes, passes in ((required_yes, True), (required_yes - 1, False)):
        box = box_for(roster(members), ballot_rule=ballot_rule)
        vote(box, yes, members - yes)
        tally = box.tally()
        assert (tally.required_yes, tally.passed) == (required_yes, passes)


# --- The roster on the meeting date (domain.md §9.4 case 11) ----------------------------------

LEFT = Membership("M90", "Người đã nghỉ", "member", SINCE, date(2025, 11, 30))
JOINS_LATER = Membership("M91", "Người mới", "member", date(2025, 12, 11))
LEAVES_THAT_DAY = Membership("M92", "Người nghỉ cuối ngày họp", "member", SINCE, DAY)


@pytest.mark.parametrize(
    ("extra", "eligible"),
    [
        ((), 10),
        ((LEFT,), 10),
        ((JOINS_LATER,), 10),
        ((LEAVES_THAT_DAY,), 11),
        ((LEFT, JOINS_LATER, LEAVES_THAT_DAY), 11),
    ],
    ids=["plain", "left-before", "joins-after", "ends-on-the-day", "all"],
)
def test_the_denominator_is_the_roster_on_the_meeting_date(extra, eligible):
    council = roster(10, *extra)
    assert council.size_on(DAY) == eligible
    box = box_for(council)
    vote(box, 9)
    assert box.tally().eligible == eligible


def test_merger_shrinks_the_council_and_the_denominator():
    """Ten members until the merger, one leaves: 9 of the 9 remaining pass 90 %, 8 of 9 do not."""
    council = roster(9, LEFT)
    assert council.size_on(date(2025, 11, 1)) == 10
    for yes, passes in ((9, True), (8, False)):
        box = box_for(council)
        vote(box, yes, 9 - yes)
        assert box.tally().passed is passes


@pytest.mark.parametrize("member", [LEFT, JOINS_LATER], ids=["left-before", "joins-after"])
def test_a_member_off_the_roster_on_the_day_cannot_vote(member):
    box = box_for(roster(10, member), present=ids(10))
    with pytest.raises(NotEligibleError, match=f"{member.member_id} is not on council P24's roster"):
        box.cast(member.member_id, True)
    with pytest.raises(NotEligibleError):
        box.cast_written(member.member_id, True, written_on=date(2025, 12, 1))
    with pytest.raises(NotEligibleError, match="present but not on council"):
        box_for(roster(10, member), present=[*ids(10), member.member_id])


def test_a_non_member_cannot_vote():
    box = box_for(roster(10))
    with pytest.raises(NotEligibleError, match="X99 is not a member of council P24"):
        box.cast("X99", True)
    assert box.tally().cast == 0


def test_roster_rejects_overlaps_and_two_chairs():
    with pytest.raises(ValueError, match="overlapping"):
        roster(3, Membership("M01", "Thành viên số 01", "member", date(2025, 8, 1)))
    with pytest.raises(ValueError, match="two chairs"):
        roster(3, Membership("M09", "Chủ tịch mới", "chair", date(2025, 9, 1)))
    rejoined = roster(
        3,
        Membership("M09", "A", "member", SINCE, date(2025, 8, 1)),
        Membership("M09", "A", "vice_chair", date(2025, 9, 1)),
    )
    assert rejoined.size_on(DAY) == 4
    with pytest.raises(ValueError, match="ends"):
        Membership("M01", "A", "member", DAY, SINCE)
    with pytest.raises(ValueError, match="unknown role"):
        Membership("M01", "A", "treasurer", DAY)  # type: ignore[arg-type]


# --- Quorum and written votes -----------------------------------------------------------------

QUORUM_CASES = [
    # members, present, quorum, met
    ("7-of-10-at-2/3", 10, 7, "2/3", True),
    ("6-of-10-at-2/3", 10, 6, "2/3", False),
    ("6-of-9-exactly-2/3", 9, 6, "2/3", True),
    ("8-of-10-at-80", 10, 8, "4/5", True),
    ("7-of-10-at-80", 10, 7, "4/5", False),
]


@pytest.mark.parametrize(
    ("members", "present", "quorum", "met"),
    [c[1:] for c in QUORUM_CASES],
    ids=[c[0] for c in QUORUM_CASES],
)
def test_quorum(members, present, quorum, met):
    box = box_for(roster(members), present=ids(present), ballot_rule=rule("4/5", quorum=Fraction(quorum)))
    assert box.quorum_met is met
    vote(box, present)
    if met:
        assert box.tally().present == present
    else:
        with pytest.raises(QuorumNotMetError, match=f"{present} of {members} members present"):
            box.tally()


def test_written_votes_do_not_make_a_quorum():
    box = box_for(roster(10), present=ids(6))
    vote(box, 6)
    for member in ids(4, first=7):
        box.cast_written(member, True, written_on=date(2025, 12, 5))
    with pytest.raises(QuorumNotMetError, match="cannot tally"):
        box.tally()


def test_absentees_written_votes_count():
    box = box_for(roster(10), present=ids(8))
    vote(box, 7, 1)
    receipts = [box.cast_written(m, True, written_on=d) for m, d in (("M09", date(2025, 12, 1)), ("M10", DAY))]
    tally = box.tally()
    assert (tally.yes, tally.no, tally.cast, tally.written, tally.present) == (9, 1, 10, 2, 8)
    assert tally.passed
    assert all(tally.counted(r) for r in receipts)


def test_written_votes_come_from_absentees_before_the_meeting():
    box = box_for(roster(10), present=ids(8))
    with pytest.raises(BallotError, match="present and votes in the meeting"):
        box.cast_written("M01", True, written_on=date(2025, 12, 1))
    with pytest.raises(BallotError, match="comes after the meeting"):
        box.cast_written("M09", True, written_on=date(2025, 12, 11))
    with pytest.raises(BallotError, match="absent members vote in writing"):
        box.cast("M09", True)
    assert not box.has_voted("M09")


def test_bac_ninh_award_sessions_need_80_percent_attendance():
    bac_ninh = rule_for("CSTD_TINH", "province", agency="P24")
    elsewhere = rule_for("CSTD_TINH", "province", agency="P91")
    assert bac_ninh is not None and elsewhere is not None
    assert (bac_ninh.quorum, elsewhere.quorum) == (Fraction(4, 5), Fraction(2, 3))
    assert box_for(roster(10), present=ids(7), ballot_rule=elsewhere).quorum_met
    assert not box_for(roster(10), present=ids(7), ballot_rule=bac_ninh).quorum_met


# --- One vote per member and round ------------------------------------------------------------


@pytest.mark.parametrize("second", ["same", "opposite"])
def test_nobody_votes_twice(second):
    box = box_for(roster(10), present=ids(9))
    box.cast("M01", True)
    with pytest.raises(AlreadyVotedError, match="M01 has already voted in round 1"):
        box.cast("M01", second == "same")
    box.cast_written("M10", False, written_on=date(2025, 12, 1))
    with pytest.raises(AlreadyVotedError):
        box.cast_written("M10", True, written_on=date(2025, 12, 2))
    tally = box.tally()
    assert (tally.yes, tally.no, tally.cast) == (1, 1, 2)


def test_a_tallied_box_is_closed():
    box = box_for(roster(10))
    vote(box, 9)
    box.tally()
    with pytest.raises(BallotError, match="closed"):
        box.cast("M10", True)


def test_a_vote_is_yes_or_no():
    with pytest.raises(BallotError, match="yes .True. or no .False."):
        box_for(roster(10)).cast("M01", "yes")  # type: ignore[arg-type]


# --- Rounds -----------------------------------------------------------------------------------


def failed_round_one(ballot_rule: BallotRule | None = None) -> Tally:
    box = box_for(roster(10), ballot_rule=ballot_rule)
    vote(box, 8, 2)
    return box.tally()


def test_a_failed_first_round_allows_one_second_round():
    first = failed_round_one()
    assert first.outcome == "second_round"
    meeting = next_round(first, present=set(ids(10)))
    assert (meeting.round, meeting.held_on, meeting.council) == (2, DAY, COUNCIL)
    box = BallotBox(roster(10), meeting, rule(), previous=first)
    vote(box, 9, 1)
    second = box.tally()
    assert (second.round, second.passed, second.outcome) == (2, True, "passed")
    with pytest.raises(RoundError, match="a third round is refused"):
        next_round(second, present=set(ids(10)))


@pytest.mark.parametrize(("policy", "outcome"), [("chair_decides", "needs_chair_decision"), ("fail", "failed")])
def test_after_two_failed_rounds_the_policy_decides(policy, outcome):
    ballot_rule = rule(after_last_round=policy)
    first = failed_round_one(ballot_rule)
    box = BallotBox(roster(10), next_round(first, present=set(ids(10))), ballot_rule, previous=first)
    vote(box, 8, 2)
    second = box.tally()
    assert (second.passed, second.outcome) == (False, outcome)
    with pytest.raises(RoundError, match="a third round is refused"):
        next_round(second, present=set(ids(10)))


def test_a_third_round_cannot_even_be_scheduled():
    with pytest.raises(RoundError, match="round 3 refused: a ballot has at most two rounds"):
        Meeting(COUNCIL, DAY, 3, frozenset(ids(10)))


@pytest.mark.parametrize("case", ["no-previous", "after-a-pass", "one-round-rule", "round-1-with-previous"])
def test_rounds_are_checked_when_the_box_opens(case):
    passed_box = box_for(roster(10))
    vote(passed_box, 10)
    passed = passed_box.tally()
    attempts = {
        "no-previous": lambda: box_for(roster(10), round_=2),
        "after-a-pass": lambda: box_for(roster(10), round_=2, previous=passed),
        "one-round-rule": lambda: box_for(
            roster(10), round_=2, ballot_rule=rule(max_rounds=1), previous=failed_round_one()
        ),
        "round-1-with-previous": lambda: box_for(roster(10), previous=failed_round_one()),
    }
    with pytest.raises(RoundError):
        attempts[case]()


def test_a_one_round_ballot_goes_to_the_policy_at_once():
    assert failed_round_one(rule(max_rounds=1)).outcome == "needs_chair_decision"
    assert failed_round_one(rule(max_rounds=1, after_last_round="fail")).outcome == "failed"


# --- Secret yet verifiable --------------------------------------------------------------------


def test_every_voter_finds_their_receipt_in_the_published_list():
    box = box_for(roster(10), present=ids(9))
    receipts = vote(box, 6, 3)
    receipts["M10"] = box.cast_written("M10", False, written_on=date(2025, 12, 1))
    tally = box.tally()
    assert set(receipts.values()) == set(tally.receipts)
    assert len(set(tally.receipts)) == tally.cast == 10
    assert list(tally.receipts) == sorted(tally.receipts)
    assert all(tally.counted(r) for r in receipts.values())
    assert not tally.counted("0" * 16)


def _containers(obj: Any, seen: set[int] | None = None):
    """Every container reachable from `obj`, with its direct items."""
    seen = set() if seen is None else seen
    if id(obj) in seen or obj is None or isinstance(obj, str | bytes | int | float | date | Fraction):
        return
    seen.add(id(obj))
    if is_dataclass(obj):
        items = [getattr(obj, f.name) for f in fields(obj)]
    elif isinstance(obj, dict):
        items = [*obj.keys(), *obj.values()]
    elif isinstance(obj, list | tuple | set | frozenset):
        items = list(obj)
    elif hasattr(type(obj), "__slots__"):
        items = [getattr(obj, name) for name in type(obj).__slots__]
    else:
        items = list(vars(obj).values())
    yield obj, items
    for item in items:
        yield from _containers(item, seen)


def test_no_stored_state_pairs_a_member_with_a_choice():
    council = roster(10)
    members = {m.member_id for m in council.memberships} | {m.name for m in council.memberships}
    box = box_for(council, present=ids(9))
    vote(box, 5, 4)
    box.cast_written("M10", True, written_on=date(2025, 12, 1))
    tally = box.tally()
    for root in (box, tally):
        for container, items in _containers(root):
            has_member = any(isinstance(i, str) and i in members for i in items)
            has_choice = any(isinstance(i, bool) for i in items)
            assert not (has_member and has_choice), f"{type(container).__name__} pairs them: {items}"
    # Who voted and what was cast live apart, each in its own order, so casting order is lost.
    assert box._voted == sorted(box._voted) == ids(10)
    assert box._ballots == sorted(box._ballots)
    assert not any(m in receipt for receipt in tally.receipts for m in members)
    # Nothing on the tally names a member at all.
    assert not any(isinstance(i, str) and i in members for _, items in _containers(tally) for i in items)


def test_no_api_returns_who_voted_how():
    box = box_for(roster(10))
    public = {name for name in dir(box) if not name.startswith("_")}
    assert public == {
        "roster",
        "meeting",
        "rule",
        "quorum_met",
        "has_voted",
        "cast",
        "cast_written",
        "tally",
    }
    with pytest.raises(AttributeError):
        box.choices = {}  # type: ignore[attr-defined]
    tally_fields = {f.name for f in fields(Tally)}
    assert tally_fields == {
        "council",
        "held_on",
        "round",
        "eligible",
        "present",
        "written",
        "cast",
        "yes",
        "no",
        "threshold",
        "quorum",
        "passed",
        "outcome",
        "receipts",
    }


# --- Minutes ----------------------------------------------------------------------------------


def test_minutes_give_counts_and_no_names():
    council = roster(10)
    box = box_for(council, present=ids(9))
    vote(box, 8, 1)
    box.cast_written("M10", True, written_on=date(2025, 12, 1))
    tally = box.tally()
    text = minutes(box.meeting, tally, "tỉnh Bắc Ninh", "Chiến sĩ thi đua cấp tỉnh", "Nguyễn Thị Lan")
    for expected in (
        "BIÊN BẢN KIỂM PHIẾU BỎ PHIẾU KÍN",
        "Hội đồng Thi đua - Khen thưởng tỉnh Bắc Ninh (mã P24)",
        "Ngày họp: 10/12/2025; vòng bỏ phiếu thứ 1.",
        "đề nghị Chiến sĩ thi đua cấp tỉnh cho Nguyễn Thị Lan",
        "Tổng số thành viên Hội đồng tại ngày họp: 10.",
        "Số thành viên có mặt: 9/10",
        "tối thiểu 2/3 (66,67%) tổng số thành viên, tức 7 người",
        "Số phiếu gửi bằng văn bản của thành viên vắng mặt: 1.",
        "Tổng số phiếu thu vào: 10;",
        "Số phiếu đồng ý: 9 (90% tổng số thành viên Hội đồng).",
        "Số phiếu không đồng ý: 1.",
        "từ 90% tổng số thành viên Hội đồng trở lên (tối thiểu 9 phiếu đồng ý)",
        "Kết quả: ĐẠT",
    ):
        assert expected in text, expected
    assert all(receipt in text for receipt in tally.receipts)
    for membership in council.memberships:
        assert membership.name not in text and membership.member_id not in text


def test_minutes_after_two_failed_rounds_refer_to_the_chair():
    first = failed_round_one()
    meeting = next_round(first, present=set(ids(10)))
    box = BallotBox(roster(10), meeting, rule(), previous=first)
    vote(box, 7, 3)
    text = minutes(meeting, box.tally(), "tỉnh Bắc Ninh", "Chiến sĩ thi đua cấp tỉnh", "Nguyễn Thị Lan")
    assert "vòng bỏ phiếu thứ 2" in text
    assert "KHÔNG ĐẠT sau 2 vòng bỏ phiếu; trình Chủ tịch Hội đồng xem xét, quyết định." in text
    with pytest.raises(BallotError, match="not this meeting's"):
        minutes(Meeting(COUNCIL, DAY, 1, frozenset()), box.tally(), "x", "y", "z")


# --- ballots.yaml -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("award", "level", "sector", "expected"),
    [
        ("CSTD_TINH", "province", None, Fraction(9, 10)),
        ("CSTD_TOAN_QUOC", "central", None, Fraction(9, 10)),
        ("CSTD_CO_SO", "unit", None, Fraction(4, 5)),
        ("CO_THI_DUA_CP", "central", None, Fraction(4, 5)),
        ("CSTD_TINH", "central", "toa_an", Fraction(9, 10)),
        ("CSTD_CO_SO", "unit", "toa_an", Fraction(4, 5)),
        ("BANG_KHEN_TINH", "province", None, None),
        ("GIAY_KHEN", "unit", None, None),
    ],
)
def test_threshold_for(award, level, sector, expected):
    assert threshold_for(award, level, sector) == expected


def test_the_shipped_rules():
    default = rule_for("CSTD_TINH", "province")
    courts = rule_for("CSTD_TINH", "central", "toa_an")
    assert default is not None and courts is not None
    assert (default.quorum, default.max_rounds, default.after_last_round) == (
        Fraction(2, 3),
        2,
        "chair_decides",
    )
    assert any("Nghị định 98/2023" in b for b in default.basis)
    assert any("01/2024/TT-TANDTC" in b for b in courts.basis)
    with pytest.raises(ValueError, match="unknown council level 'county'"):
        threshold_for("CSTD_TINH", "county")
    with pytest.raises(KeyError, match="NOPE"):
        threshold_for("NOPE", "province")


def test_a_later_override_wins(tmp_path: Path):
    path = write(
        tmp_path,
        overrides=[
            override("all", quorum="3/4", thresholds={"CSTD_TINH": 0.95}),
            override("courts", sectors=["toa_an"], quorum="4/5", after_last_round="fail"),
        ],
    )
    rules = load_ballot_rules(path)
    plain, courts = (
        rules.rule_for("CSTD_TINH", "province"),
        rules.rule_for("CSTD_TINH", "province", "toa_an"),
    )
    assert plain is not None and courts is not None
    assert (plain.threshold, plain.quorum, plain.after_last_round) == (
        Fraction(19, 20),
        Fraction(3, 4),
        "chair_decides",
    )
    assert (courts.threshold, courts.quorum, courts.after_last_round) == (
        Fraction(19, 20),
        Fraction(4, 5),
        "fail",
    )
    ballotless = load_ballot_rules(write(tmp_path, overrides=[override("bk", thresholds={"BANG_KHEN_TINH": "2/3"})]))
    assert ballotless.rule_for("BANG_KHEN_TINH", "province").threshold == Fraction(2, 3)


CITATION = {"instrument": "Văn bản thử", "confidence": "L", "configurable": True}
DEFAULTS = {
    "quorum": "2/3",
    "max_rounds": 2,
    "after_last_round": "chair_decides",
    "citation": CITATION,
}


def override(code: str, **settings: Any) -> dict[str, Any]:
    return {"code": code, **settings, "citation": CITATION}


def write(tmp_path: Path, text: str | None = None, **content: Any) -> Path:
    path = tmp_path / "ballots.yaml"
    path.write_text(
        text if text is not None else yaml.safe_dump({"defaults": DEFAULTS, **content}, allow_unicode=True),
        encoding="utf-8",
    )
    return path


BAD_ENTRIES = [
    # name, entry, field, words
    ("quorum-above-one", override("x", quorum="3/2"), "quorum", "at most 1"),
    ("quorum-not-a-share", override("x", quorum="most"), "quorum", "not a share"),
    ("quorum-zero", override("x", quorum=0), "quorum", "above 0"),
    ("three-rounds", override("x", max_rounds=3), "max_rounds", "1 or 2"),
    ("unknown-policy", override("x", after_last_round="toss"), "after_last_round", "chair_decides"),
    ("unknown-level", override("x", levels=["county"], quorum="2/3"), "levels.0", "unit"),
    ("unknown-award", override("x", thresholds={"NOPE": 0.9}), "thresholds.NOPE", "unknown award"),
    (
        "bad-threshold",
        override("x", thresholds={"CSTD_TINH": 1.5}),
        "thresholds.CSTD_TINH",
        "at most 1",
    ),
    ("sets-nothing", override("x", sectors=["toa_an"]), "quorum", "an override sets"),
    ("unknown-field", override("x", quorum="2/3", weight=2), "weight", "Extra inputs"),
    ("no-citation", {"code": "x", "quorum": "2/3"}, "citation", "Field required"),
    ("bad-code", override("Bad Code", quorum="2/3"), "code", "pattern"),
]


@pytest.mark.parametrize(("entry", "field", "words"), [c[1:] for c in BAD_ENTRIES], ids=[c[0] for c in BAD_ENTRIES])
def test_a_bad_override_names_file_entry_and_field(tmp_path: Path, entry, field, words):
    path = write(tmp_path, overrides=[override("good", quorum="2/3"), entry])
    with pytest.raises(CatalogError) as caught:
        load_ballot_rules(path)
    err = caught.value
    assert (err.file, err.entry, err.field) == ("ballots.yaml", entry["code"], field)
    assert str(err).startswith(f"ballots.yaml: entry '{entry['code']}', field '{field}': ")
    assert words in str(err)


@pytest.mark.parametrize(
    ("text", "entry", "field", "words"),
    [
        ("defaults: [", None, None, "not valid YAML"),
        ("overrides: []", None, "defaults", "'defaults' mapping"),
        (yaml.safe_dump({"defaults": DEFAULTS, "extra": 1}), None, "extra", "unknown top-level"),
        (
            yaml.safe_dump({"defaults": DEFAULTS, "overrides": {"a": 1}}),
            None,
            "overrides",
            "must be a list",
        ),
        (yaml.safe_dump({"defaults": {**DEFAULTS, "quorum": None}}), "defaults", "quorum", ""),
        (
            yaml.safe_dump({"defaults": DEFAULTS, "overrides": [{"quorum": "2/3", "citation": CITATION}]}),
            "#1",
            "code",
            "Field required",
        ),
        (
            yaml.safe_dump({"defaults": DEFAULTS, "overrides": [override("a", quorum="2/3")] * 2}),
            "a",
            "code",
            "defined twice",
        ),
    ],
    ids=[
        "invalid-yaml",
        "no-defaults",
        "unknown-key",
        "overrides-not-a-list",
        "bad-default",
        "entry-without-code",
        "duplicate-code",
    ],
)
def test_a_bad_file_names_what_is_wrong(tmp_path: Path, text, entry, field, words):
    with pytest.raises(CatalogError) as caught:
        load_ballot_rules(write(tmp_path, text))
    assert (caught.value.file, caught.value.entry, caught.value.field) == (
        "ballots.yaml",
        entry,
        field,
    )
    assert words in str(caught.value)
