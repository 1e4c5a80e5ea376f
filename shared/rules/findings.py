"""What a rule returns and what it reads: a `Finding`, and the nominee's history seen from one nomination.

`RuleContext` answers the questions every rule asks of a history: which years count after a
discipline, which awards may serve as evidence for this mode, how a year's rating stands against a
minimum (a maternity year bridges a streak), and how to name an award or a year in the evidence.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from typing import Literal

from shared.rules.history import RATING_LABELS, AwardFact, NomineeHistory, at_least
from shared.rules.rulesets import Principles

Status = Literal["met", "not_met", "unknown"]
STATUS_VI = {"met": "đạt", "not_met": "không đạt", "unknown": "chưa đủ dữ liệu"}
MODE_VI = {
    "cong_trang": "công trạng",
    "dot_xuat": "đột xuất",
    "chuyen_de": "chuyên đề",
    "cong_hien": "quá trình cống hiến",
    "nien_han": "niên hạn",
    "doi_ngoai": "đối ngoại",
    "khang_chien": "kháng chiến",
}


@dataclass(frozen=True)
class Finding:
    """A rule's verdict on one criterion, with the facts (in Vietnamese) it rests on."""

    status: Status
    detail: str
    evidence: list[str]


@dataclass
class RuleContext:
    """One nomination's view of the nominee's history: award, mode, year and the principles in force."""

    history: NomineeHistory
    award_code: str
    mode: str
    year: int
    on: date
    recipient_kind: str
    claimed: tuple[str, ...]
    principles: Principles
    labels: Mapping[str, str]

    @cached_property
    def floor(self) -> int | None:
        return self.history.counting_floor(self.year)

    def counts(self, year: int) -> bool:
        return self.floor is None or year > self.floor

    def label(self, code: str) -> str:
        return self.labels.get(code, code)

    def award_line(self, award: AwardFact) -> str:
        ref = ", ".join(x for x in (award.decision_no and f"QĐ {award.decision_no}", award.conferred_by) if x)
        mode = "" if award.mode == "cong_trang" else f", {MODE_VI[award.mode]}"
        return f"{award.year}: {self.label(award.award_code)} ({ref}{mode})"

    def _excluded(self, award: AwardFact, modes: Sequence[str]) -> str | None:
        if self.mode == "cong_trang" and award.mode in self.principles.evidence_modes.excluded_modes:
            return "khen thưởng đột xuất, chuyên đề không dùng làm căn cứ khen công trạng"
        if award.mode not in modes:
            return f"loại hình {MODE_VI[award.mode]} không được tính cho tiêu chí này"
        if award.decided_on > self.on:
            return f"quyết định ngày {award.decided_on.isoformat()} sau ngày xét"
        return None

    def awards(self, codes: Sequence[str], modes: Sequence[str]) -> list[AwardFact]:
        found = [a for a in self.history.awards if a.award_code in codes and self._excluded(a, modes) is None]
        return sorted(found, key=lambda a: a.year)

    def not_counted(self, codes: Sequence[str], modes: Sequence[str]) -> list[str]:
        return [
            f"Không tính {self.award_line(a)}: {why}"
            for a in self.history.awards
            if a.award_code in codes and (why := self._excluded(a, modes))
        ]

    def discipline_lines(self, *, all_: bool = False) -> list[str]:
        """Disciplines that restart counting (or all), and the year counting restarts."""
        shown = [d for d in self.history.disciplines if all_ or d.start.year <= self.year]
        lines = [f"Kỷ luật ({d.level}) {d.start.isoformat()} – {d.end.isoformat()}" for d in shown]
        restart = [] if self.floor is None else [f"Thành tích được tính lại từ năm {self.floor + 1}"]
        return lines + restart

    def year_state(self, year: int, minimum: str) -> tuple[str, str]:
        """pass / fail / unknown, or bridge (a maternity year that neither counts nor breaks)."""
        if not self.counts(year):
            return "fail", f"{year}: không tính (trong hoặc trước năm hết kỷ luật)"
        rating = self.history.rating(year)
        if rating is not None:
            state = "pass" if at_least(rating.rating, minimum) else "fail"
            return state, f"{year}: {RATING_LABELS[rating.rating]} ({rating.agency_code})"
        if self.history.on_maternity_leave(year):
            as_ = self.principles.maternity.counts_as
            state = "pass" if at_least(as_, minimum) else "bridge"
            return (
                state,
                f"{year}: nghỉ thai sản, tính là thời gian công tác (như {RATING_LABELS[as_]})",
            )
        return "unknown", f"{year}: chưa có kết quả đánh giá"

    def walk(self, minimum: str, after: int, need: int | None = None) -> tuple[list[tuple[int, str]], list[str]]:
        """Years back from the nomination year until one fails, `after` or `need` counted years."""
        run: list[tuple[int, str]] = []
        lines: list[str] = []
        year = self.year
        while year > after and (need is None or sum(s != "bridge" for _, s in run) < need):
            state, line = self.year_state(year, minimum)
            lines.append(line)
            if state == "fail":
                break
            run.append((year, state))
            year -= 1
        return run, lines
