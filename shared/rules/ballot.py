"""Council secret ballots (bỏ phiếu kín): rosters as of a date, quorum, secret yet verifiable votes,
thresholds on total membership, at most two rounds, and the minutes (domain.md §3.4, §4.7, §9.1
Council, §9.4 case 11).

Pure: no database and no I/O (``ballot_rules`` reads the rules file). Secrecy is structural: a
BallotBox keeps *who has voted* and *which (receipt, choice) pairs were cast* in two separate
lists, each sorted by its own key, so the order of casting, the only thing that could pair them,
is stored nowhere. The voter keeps the receipt `cast` returns and finds it among the tally's
receipts.
"""

from __future__ import annotations

import bisect
import secrets
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Literal, get_args

from shared.rules.ballot_rules import (
    BallotRule,
    BallotRules,
    load_ballot_rules,
    rule_for,
    threshold_for,
)

__all__ = [
    "AlreadyVotedError",
    "BallotBox",
    "BallotError",
    "BallotRule",
    "BallotRules",
    "Meeting",
    "Membership",
    "NotEligibleError",
    "QuorumNotMetError",
    "Roster",
    "RoundError",
    "Tally",
    "load_ballot_rules",
    "minutes",
    "next_round",
    "rule_for",
    "threshold_for",
]

Role = Literal["chair", "vice_chair", "member", "secretary"]
Outcome = Literal["passed", "second_round", "failed", "needs_chair_decision"]


class BallotError(ValueError):
    """A ballot step the rules do not allow; the message says which rule."""


class NotEligibleError(BallotError):
    """The person is not on the council's roster on the meeting date."""


class AlreadyVotedError(BallotError):
    """The member has already voted in this round."""


class QuorumNotMetError(BallotError):
    """Too few members are present for the meeting to tally."""


class RoundError(BallotError):
    """A round the ballot does not allow (a third one, or a second after a pass)."""


# ---------------------------------------------------------------- roster and meeting


@dataclass(frozen=True)
class Membership:
    """One period of one person on a council; `end` is the last day on it (inclusive)."""

    member_id: str
    name: str
    role: Role
    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if not self.member_id:
            raise ValueError("a membership needs a member_id")
        if self.role not in get_args(Role):
            raise ValueError(f"member {self.member_id}: unknown role '{self.role}'")
        if self.end is not None and self.end < self.start:
            raise ValueError(f"member {self.member_id}: ends ({self.end}) before it starts ({self.start})")

    def on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)

    def overlaps(self, other: Membership) -> bool:
        return (self.end is None or other.start <= self.end) and (other.end is None or self.start <= other.end)


@dataclass(frozen=True)
class Roster:
    """The members of one council (by agency code) over time: the threshold's denominator."""

    council: str
    memberships: tuple[Membership, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "memberships", tuple(self.memberships))
        for index, first in enumerate(self.memberships):
            for second in self.memberships[index + 1 :]:
                if not first.overlaps(second):
                    continue
                if first.member_id == second.member_id:
                    raise ValueError(
                        f"council {self.council}: member {first.member_id} has overlapping "
                        f"memberships from {first.start} and {second.start}"
                    )
                if first.role == second.role == "chair":
                    raise ValueError(
                        f"council {self.council}: two chairs at once ({first.member_id}, {second.member_id})"
                    )

    def members_on(self, day: date) -> tuple[Membership, ...]:
        """Who sits on the council on `day`, by member id: left before or joined after do not."""
        return tuple(sorted((m for m in self.memberships if m.on(day)), key=lambda m: m.member_id))

    def size_on(self, day: date) -> int:
        return len(self.members_on(day))


@dataclass(frozen=True)
class Meeting:
    """One ballot session of a council: its date, the round, and who is in the room."""

    council: str
    held_on: date
    round: int
    present: frozenset[str]

    def __post_init__(self) -> None:
        object.__setattr__(self, "present", frozenset(self.present))
        if self.round not in (1, 2):
            raise RoundError(f"round {self.round} refused: a ballot has at most two rounds")


# ---------------------------------------------------------------- rule, tally and box


@dataclass(frozen=True)
class Tally:
    """The published result of one round: counts and the receipts counted, never a voter."""

    council: str
    held_on: date
    round: int
    eligible: int  # members on the roster on the meeting date: the denominator
    present: int
    written: int  # votes sent in writing by absent members, included in `cast`
    cast: int
    yes: int
    no: int
    threshold: Fraction
    quorum: Fraction
    passed: bool
    outcome: Outcome
    receipts: tuple[str, ...]  # sorted, so their order says nothing about who voted when

    @property
    def required_yes(self) -> int:
        return _ceil(self.threshold * self.eligible)

    def counted(self, receipt: str) -> bool:
        return receipt in self.receipts


class BallotBox:
    """One secret ballot on one question (a nominee for an award) in one round of one meeting."""

    __slots__ = (
        "roster",
        "meeting",
        "rule",
        "_eligible",
        "_voted",
        "_ballots",
        "_written",
        "_closed",
    )

    def __init__(self, roster: Roster, meeting: Meeting, rule: BallotRule, *, previous: Tally | None = None) -> None:
        if meeting.council != roster.council:
            raise BallotError(f"the meeting is of council {meeting.council}, the roster of {roster.council}")
        _check_round(meeting, rule, previous)
        eligible = frozenset(m.member_id for m in roster.members_on(meeting.held_on))
        if not eligible:
            raise BallotError(f"council {roster.council} has no members on {meeting.held_on}")
        strangers = sorted(meeting.present - eligible)
        if strangers:
            raise NotEligibleError(
                f"present but not on council {roster.council}'s roster on {meeting.held_on}: {strangers}"
            )
        self.roster, self.meeting, self.rule = roster, meeting, rule
        self._eligible = eligible
        self._voted: list[str] = []  # member ids, sorted: who has voted, not how
        self._ballots: list[tuple[str, bool]] = []  # (receipt, yes), sorted by the random receipt
        self._written = 0
        self._closed = False

    @property
    def quorum_met(self) -> bool:
        return Fraction(len(self.meeting.present), len(self._eligible)) >= self.rule.quorum

    def has_voted(self, member_id: str) -> bool:
        index = bisect.bisect_left(self._voted, member_id)
        return index < len(self._voted) and self._voted[index] == member_id

    def cast(self, member_id: str, yes: bool) -> str:
        """A present member's vote. Returns the receipt, given to the voter alone."""
        self._admit(member_id, yes)
        if member_id not in self.meeting.present:
            raise BallotError(
                f"member {member_id} is not present on {self.meeting.held_on}; "
                "absent members vote in writing before the meeting (cast_written)"
            )
        return self._drop(member_id, yes)

    def cast_written(self, member_id: str, yes: bool, *, written_on: date) -> str:
        """An absent member's written vote, sent by the meeting date (Decree 98 Art. 30(7))."""
        self._admit(member_id, yes)
        if member_id in self.meeting.present:
            raise BallotError(f"member {member_id} is present and votes in the meeting, not in writing")
        if written_on > self.meeting.held_on:
            raise BallotError(
                f"a written vote dated {written_on} comes after the meeting "
                f"({self.meeting.held_on}); written votes are sent before it"
            )
        receipt = self._drop(member_id, yes)
        self._written += 1
        return receipt

    def tally(self) -> Tally:
        """Count the round and close the box; refused without quorum."""
        eligible, present = len(self._eligible), len(self.meeting.present)
        if not self.quorum_met:
            quorum = self.rule.quorum
            raise QuorumNotMetError(
                f"{present} of {eligible} members present; the quorum is {_share_text(quorum)} "
                f"of total members ({_ceil(quorum * eligible)}), so the meeting cannot tally"
            )
        self._closed = True
        yes = sum(1 for _, choice in self._ballots if choice)
        passed = Fraction(yes, eligible) >= self.rule.threshold
        return Tally(
            council=self.meeting.council,
            held_on=self.meeting.held_on,
            round=self.meeting.round,
            eligible=eligible,
            present=present,
            written=self._written,
            cast=len(self._ballots),
            yes=yes,
            no=len(self._ballots) - yes,
            threshold=self.rule.threshold,
            quorum=self.rule.quorum,
            passed=passed,
            outcome=_outcome(passed, self.meeting.round, self.rule),
            receipts=tuple(receipt for receipt, _ in self._ballots),
        )

    def _admit(self, member_id: str, yes: bool) -> None:
        if self._closed:
            raise BallotError("the ballot is closed: it has been tallied")
        if not isinstance(yes, bool):
            raise BallotError("a vote is yes (True) or no (False)")
        if member_id not in self._eligible:
            raise NotEligibleError(self._why_not(member_id))
        if self.has_voted(member_id):
            raise AlreadyVotedError(
                f"member {member_id} has already voted in round {self.meeting.round}; each member votes once per round"
            )

    def _drop(self, member_id: str, yes: bool) -> str:
        receipts = {receipt for receipt, _ in self._ballots}
        receipt = secrets.token_hex(8)
        while receipt in receipts:
            receipt = secrets.token_hex(8)
        bisect.insort(self._voted, member_id)
        bisect.insort(self._ballots, (receipt, yes))
        return receipt

    def _why_not(self, member_id: str) -> str:
        periods = [m for m in self.roster.memberships if m.member_id == member_id]
        council, day = self.roster.council, self.meeting.held_on
        if not periods:
            return f"{member_id} is not a member of council {council}"
        spans = ", ".join(f"{m.start}..{m.end or ''}" for m in periods)
        return f"{member_id} is not on council {council}'s roster on {day} (member {spans})"


def next_round(tally: Tally, *, present: frozenset[str] | set[str], held_on: date | None = None) -> Meeting:
    """The meeting for the round after `tally`; refused unless the tally allows another round."""
    if tally.outcome != "second_round":
        if tally.round >= 2:
            raise RoundError(f"a third round is refused: a ballot has at most two rounds (outcome: {tally.outcome})")
        raise RoundError(f"no second round after round {tally.round} (outcome: {tally.outcome})")
    return Meeting(tally.council, held_on or tally.held_on, tally.round + 1, frozenset(present))


def _check_round(meeting: Meeting, rule: BallotRule, previous: Tally | None) -> None:
    if meeting.round == 1:
        if previous is not None:
            raise RoundError("round 1 has no previous round")
        return
    if rule.max_rounds < 2:
        raise RoundError(f"{rule.award}: this ballot allows one round only")
    if previous is None:
        raise RoundError("round 2 follows a failed round 1; give its tally as previous")
    if previous.outcome != "second_round":
        raise RoundError(f"no round 2 after round {previous.round} (outcome: {previous.outcome})")
    if previous.council != meeting.council or previous.held_on > meeting.held_on:
        raise RoundError("round 2 must follow round 1 of the same council, on or after its date")


def _outcome(passed: bool, round_: int, rule: BallotRule) -> Outcome:
    if passed:
        return "passed"
    if round_ < rule.max_rounds:
        return "second_round"
    return "needs_chair_decision" if rule.after_last_round == "chair_decides" else "failed"


def _ceil(value: Fraction) -> int:
    return -(-value.numerator // value.denominator)


# ---------------------------------------------------------------- minutes (biên bản)

_OUTCOME_TEXT = {
    "passed": "ĐẠT (số phiếu đồng ý đạt tỷ lệ quy định).",
    "second_round": "CHƯA ĐẠT ở vòng {round}; Hội đồng có thể bỏ phiếu vòng 2.",
    "failed": "KHÔNG ĐẠT.",
    "needs_chair_decision": ("KHÔNG ĐẠT sau {round} vòng bỏ phiếu; trình Chủ tịch Hội đồng xem xét, quyết định."),
}


def minutes(meeting: Meeting, tally: Tally, council_name: str, award: str, nominee: str) -> str:
    """The biên bản kiểm phiếu: counts and receipts, never a member next to a choice."""
    if (meeting.council, meeting.held_on, meeting.round) != (
        tally.council,
        tally.held_on,
        tally.round,
    ):
        raise BallotError("the tally is not this meeting's")
    min_present = _ceil(tally.quorum * tally.eligible)
    lines = [
        "BIÊN BẢN KIỂM PHIẾU BỎ PHIẾU KÍN",
        f"Hội đồng Thi đua - Khen thưởng {council_name} (mã {meeting.council})",
        f"Ngày họp: {meeting.held_on:%d/%m/%Y}; vòng bỏ phiếu thứ {tally.round}.",
        f"Nội dung: bỏ phiếu kín đề nghị {award} cho {nominee}.",
        "",
        f"1. Tổng số thành viên Hội đồng tại ngày họp: {tally.eligible}.",
        f"2. Số thành viên có mặt: {tally.present}/{tally.eligible} (tối thiểu "
        f"{_share_text(tally.quorum)} tổng số thành viên, tức {min_present} người).",
        f"3. Số phiếu gửi bằng văn bản của thành viên vắng mặt: {tally.written}.",
        f"4. Tổng số phiếu thu vào: {tally.cast}; số thành viên không bỏ phiếu: {tally.eligible - tally.cast}.",
        f"5. Số phiếu đồng ý: {tally.yes} ({_percent(Fraction(tally.yes, tally.eligible))} "
        "tổng số thành viên Hội đồng).",
        f"6. Số phiếu không đồng ý: {tally.no}.",
        f"7. Tỷ lệ yêu cầu: từ {_share_text(tally.threshold)} tổng số thành viên Hội đồng trở lên "
        f"(tối thiểu {tally.required_yes} phiếu đồng ý).",
        f"Kết quả: {_OUTCOME_TEXT[tally.outcome].format(round=tally.round)}",
        "",
        "Mã phiếu đã kiểm (để mỗi thành viên tự đối chiếu phiếu của mình):",
        ", ".join(tally.receipts) or "(không có)",
    ]
    return "\n".join(lines) + "\n"


def _percent(share: Fraction) -> str:
    value = share * 100
    if value.denominator == 1:
        return f"{value.numerator}%"
    return f"{float(value):.2f}".replace(".", ",") + "%"


def _share_text(share: Fraction) -> str:
    if (share * 100).denominator == 1:
        return _percent(share)
    return f"{share.numerator}/{share.denominator} ({_percent(share)})"
