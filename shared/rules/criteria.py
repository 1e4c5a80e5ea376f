"""The rules of the rule sets: one evaluator per `rule:` name, and the history reader they share.

Missing data gives ``unknown``, never a silent ``met``; every finding names the facts it used.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import cached_property
from itertools import takewhile
from typing import Any, Literal

from shared.rules.history import (
    LABELS_VI,
    RATING_LABELS,
    SCOPE_RANK,
    AwardFact,
    NomineeHistory,
    at_least,
)
from shared.rules.ruleset_criteria import (
    AllOfParams,
    AnyOfParams,
    CollectiveShareParams,
    ConsecutiveRatingsParams,
    ConsecutiveTitlesParams,
    Criterion,
    HoldsTitleParams,
    InitiativeScopeParams,
    PriorAwardThenYearsParams,
    RatingAtLeastParams,
    ServiceYearsParams,
)
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


# ---------------------------------------------------------------- reading the history


@dataclass(frozen=True)
class Finding:
    status: Status
    detail: str
    evidence: list[str]


@dataclass
class _Context:
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


# ---------------------------------------------------------------- rules


def _rating_at_least(p: RatingAtLeastParams, ctx: _Context) -> Finding:
    state, line = ctx.year_state(ctx.year, p.min)
    status: Status = {"pass": "met", "fail": "not_met"}.get(state, "unknown")  # type: ignore[assignment]
    return Finding(
        status,
        f"năm {ctx.year} cần {RATING_LABELS[p.min]} trở lên",
        [line, *ctx.discipline_lines()],
    )


def _composite(criteria: list[Criterion], ctx: _Context, *, need_all: bool) -> Finding:
    found = [(c, _evaluate(c, ctx)) for c in criteria]
    statuses = {f.status for _, f in found}
    decisive, fallback = ("not_met", "met") if need_all else ("met", "not_met")
    status = decisive if decisive in statuses else "unknown" if "unknown" in statuses else fallback
    evidence = [
        line
        for c, f in found
        for line in [
            f"[{STATUS_VI[f.status]}] {c.description}: {f.detail}",
            *(f"  {e}" for e in f.evidence),
        ]
    ]
    detail = "; ".join(f"{c.description}: {STATUS_VI[f.status]}" for c, f in found)
    return Finding(status, detail, evidence)  # type: ignore[arg-type]


def _any_of(p: AnyOfParams, ctx: _Context) -> Finding:
    return _composite(p.criteria, ctx, need_all=False)


def _all_of(p: AllOfParams, ctx: _Context) -> Finding:
    return _composite(p.criteria, ctx, need_all=True)


def _chain(years: set[int], end: int, period: int, bridges: set[int]) -> list[int]:
    """Title years linked back from `end`, each at most `period` years (bridges aside) apart."""
    if end not in years:
        return []
    chain = [end]
    for year in sorted((y for y in years if y < end), reverse=True):
        bridged = sum(1 for b in range(year + 1, chain[-1]) if b in bridges and b not in years)
        if chain[-1] - year - bridged > period:
            break
        chain.append(year)
    return chain


def _consecutive_titles(p: ConsecutiveTitlesParams, ctx: _Context) -> Finding:
    held = {a.year: a for a in ctx.awards([p.title], p.count_modes) if ctx.counts(a.year) and a.year <= ctx.year}
    bridges = (
        {y for y in range(ctx.year - 50, ctx.year + 1) if ctx.history.on_maternity_leave(y)}
        if ctx.principles.maternity.bridges_title_streaks
        else set()
    )
    ends = {
        "nomination_year": [ctx.year],
        "previous_year": [ctx.year - 1],
        "nomination_or_previous": [ctx.year, ctx.year - 1],
    }[p.ends]
    chain = max((_chain(set(held), end, p.period_years, bridges) for end in ends), key=len)
    evidence = [ctx.award_line(held[y]) for y in sorted(chain)]
    evidence += [
        f"{y}: nghỉ thai sản — không ngắt chuỗi, không tính là năm đạt danh hiệu"
        for y in sorted(bridges)
        if chain and min(chain) < y < max(chain)
    ]
    evidence += ctx.not_counted([p.title], p.count_modes) + ctx.discipline_lines()
    if not chain:
        evidence.append(f"Chưa có {ctx.label(p.title)} năm {' hoặc '.join(map(str, ends))}")
    status: Status = "met" if len(chain) >= p.count else "not_met"
    return Finding(status, f"{len(chain)} lần liên tục {ctx.label(p.title)}, cần {p.count}", evidence)


def _consecutive_ratings(p: ConsecutiveRatingsParams, ctx: _Context) -> Finding:
    run, lines = ctx.walk(p.min, ctx.floor or 0, need=p.count)
    counted = [s for _, s in run if s != "bridge"]
    status: Status = "not_met" if len(counted) < p.count else "unknown" if "unknown" in counted else "met"
    detail = f"{counted.count('pass')} năm liên tục {RATING_LABELS[p.min]} trở lên, cần {p.count}"
    return Finding(status, detail, lines + ctx.discipline_lines())


def _initiative_line(i: Any) -> str:
    return (
        f"{i.id} «{i.title}» ({LABELS_VI[i.type]}, phạm vi {LABELS_VI[i.scope]}, "
        f"công nhận {i.recognised_on.isoformat()}, {i.recognised_by})"
    )


def _initiative_scope(p: InitiativeScopeParams, ctx: _Context) -> Finding:
    known, used = ctx.history.initiatives, ctx.history.used_initiatives()
    pool = [known[i] for i in ctx.claimed if i in known] if ctx.claimed else list(known.values())
    missing = [i for i in ctx.claimed if i not in known]
    first = ctx.year - p.within_years + 1 if p.within_years else None
    qualifying, evidence = [], [f"{i}: không có trong hồ sơ sáng kiến" for i in missing]
    for i in pool:
        year = i.recognised_on.year
        why = (
            "đã dùng cho " + ctx.award_line(used[i.id])
            if i.id in used
            else "loại khác"
            if i.type not in p.types
            else "phạm vi hẹp hơn yêu cầu"
            if SCOPE_RANK[i.scope] < SCOPE_RANK[p.scope]
            else "ngoài thời gian xét"
            if i.recognised_on > ctx.on or year > ctx.year or (first and year < first)
            else "trước khi hết kỷ luật"
            if not ctx.counts(year)
            else None
        )
        evidence.append(_initiative_line(i) + (f" — không tính: {why}" if why else ""))
        if why is None:
            qualifying.append(i)
    status: Status = "met" if len(qualifying) >= p.count else "unknown" if missing else "not_met"
    window = f" từ năm {first}" if first else ""
    kinds = "/".join(LABELS_VI[t] for t in p.types)
    scope = LABELS_VI[p.scope]
    detail = f"{len(qualifying)} {kinds} phạm vi {scope} trở lên chưa sử dụng{window}, cần {p.count}"
    return Finding(status, detail, evidence or ["Không có sáng kiến, đề tài nào trong hồ sơ"])


def _prior_award_then_years(p: PriorAwardThenYearsParams, ctx: _Context) -> Finding:
    priors = [a for a in ctx.awards(p.prior, p.count_modes) if a.year < ctx.year]
    evidence = [ctx.award_line(a) for a in priors] + ctx.not_counted(p.prior, p.count_modes)
    names = " hoặc ".join(ctx.label(c) for c in p.prior)
    if not priors:
        return Finding("not_met", f"chưa có {names} (công trạng)", evidence or [f"Không có {names}"])
    lower = max(priors[0].year, ctx.floor or 0)
    if p.restart_after_same_award and (same := ctx.awards([ctx.award_code], p.count_modes)):
        lower = max(lower, same[-1].year)
        evidence.append(f"Đã có {ctx.award_line(same[-1])}: chỉ tính các năm sau đó")
    run, lines = ctx.walk(p.min_rating, lower)
    titles = {a.year: a for a in ctx.awards([p.cstdcs_title], p.count_modes)}
    sure = [y for y, s in takewhile(lambda t: t[1] != "unknown", run) if s == "pass"]
    possible = [y for y, s in run if s != "bridge"]
    unknown = [y for y, s in run if s == "unknown"]

    def excellent(years: list[int]) -> int:
        return sum(1 for y in years if (r := ctx.history.rating(y)) and r.rating == "xuat_sac")

    def enough(years: list[int], maybe_excellent: int) -> bool:
        return (
            len(years) >= p.years
            and sum(y in titles for y in years) >= p.cstdcs
            and excellent(years) + maybe_excellent >= p.xuat_sac
        )

    status: Status = "met" if enough(sure, 0) else "unknown" if enough(possible, len(unknown)) else "not_met"
    evidence += lines + [ctx.award_line(titles[y]) for y in sorted(possible) if y in titles] + ctx.discipline_lines()
    detail = (
        f"sau {ctx.award_line(priors[0])}: {len(sure)} năm liên tục (cần {p.years}), "
        f"{sum(y in titles for y in sure)} lần {ctx.label(p.cstdcs_title)} (cần {p.cstdcs}), "
        f"{excellent(sure)} năm xuất sắc (cần {p.xuat_sac})"
        + (f"; thiếu kết quả đánh giá năm {', '.join(map(str, sorted(unknown)))}" if unknown else "")
    )
    return Finding(status, detail, evidence)


def _holds_title(p: HoldsTitleParams, ctx: _Context) -> Finding:
    held = [a for a in ctx.awards(p.award_codes, p.count_modes) if a.year <= ctx.year]
    evidence = [ctx.award_line(a) for a in held] + ctx.not_counted(p.award_codes, p.count_modes)
    names = " hoặc ".join(ctx.label(c) for c in p.award_codes)
    return Finding(
        "met" if held else "not_met",
        f"{'đã' if held else 'chưa'} có {names}",
        evidence or [f"Không có {names} trong hồ sơ"],
    )


def _service_years(p: ServiceYearsParams, ctx: _Context) -> Finding:
    if not ctx.history.services:
        return Finding("unknown", "chưa có dữ liệu quá trình công tác", ["Không có dữ kiện quá trình công tác"])
    weights: dict[int, float] = {}
    evidence = []
    for s in ctx.history.services:
        if s.role not in p.roles:
            continue
        weight = p.hardship_multiplier if s.hardship else 1
        years = s.years(ctx.year)
        for year in years:
            weights[year] = max(weights.get(year, 1), weight)
        evidence.append(
            f"{s.start_year}–{s.end_year or 'nay'}: {LABELS_VI[s.role]}, {len(years)} năm"
            + (f", vùng khó khăn ×{weight:g}" if s.hardship else "")
        )
    total = sum(weights.values())
    status: Status = "met" if total >= p.min_years else "not_met"
    roles = ", ".join(LABELS_VI[r] for r in p.roles)
    return Finding(
        status,
        f"{total:g} năm quy đổi ({roles}), cần {p.min_years:g}",
        evidence or [f"Không có năm công tác ({roles})"],
    )


def _collective_share(p: CollectiveShareParams, ctx: _Context) -> Finding:
    c = ctx.history.collective_year(ctx.year)
    if c is None:
        return Finding(
            "unknown",
            f"chưa có số liệu tập thể năm {ctx.year}",
            [f"{ctx.year}: không có số liệu tập thể"],
        )
    checks: list[tuple[bool | None, str]] = [(None, f"{ctx.year}: {c.members} thành viên, {RATING_LABELS[c.rating]}")]
    if p.min_rating:
        checks.append(
            (
                at_least(c.rating, p.min_rating),
                f"xếp loại tập thể, cần {RATING_LABELS[p.min_rating]} trở lên",
            )
        )
    if p.lddt_share is not None:
        ok = Fraction(c.lddt_members, c.members) >= Fraction(str(p.lddt_share))
        checks.append((ok, f"{c.lddt_members}/{c.members} đạt LĐTT, cần từ {p.lddt_share:.0%}"))
    if p.max_disciplined_warning is not None:
        ok = c.disciplined_warning_or_above <= p.max_disciplined_warning
        checks.append((ok, f"{c.disciplined_warning_or_above} người bị kỷ luật từ cảnh cáo trở lên"))
    if p.all_members_complete:
        done = None if c.completed_members is None else c.completed_members == c.members
        checks.append(
            (
                done,
                f"{'chưa rõ số' if done is None else c.completed_members} người hoàn thành",
            )
        )
    if p.min_cstdcs_members is not None:
        enough = None if c.cstdcs_members is None else c.cstdcs_members >= p.min_cstdcs_members
        checks.append((enough, f"{c.cstdcs_members if enough is not None else 'chưa rõ số'} người đạt CSTĐCS"))
    gaps = [line for ok, line in checks[1:] if ok is None]
    status: Status = (
        "not_met"
        if any(ok is False for ok, _ in checks)
        else "unknown"
        if gaps and p.when_missing == "unknown"
        else "met"
    )
    evidence = [line + ("" if ok is None else f" — {'đạt' if ok else 'không đạt'}") for ok, line in checks]
    if gaps and p.when_missing == "skip":
        evidence.append("Thiếu số liệu; quy tắc cấu hình bỏ qua khi không có dữ liệu")
    return Finding(
        status,
        "; ".join(line for ok, line in checks[1:] if ok is not True) or "đạt các điều kiện",
        evidence,
    )


RULES: dict[str, Callable[[Any, _Context], Finding]] = {
    "rating_at_least": _rating_at_least,
    "any_of": _any_of,
    "all_of": _all_of,
    "consecutive_titles": _consecutive_titles,
    "consecutive_ratings": _consecutive_ratings,
    "initiative_scope": _initiative_scope,
    "prior_award_then_years": _prior_award_then_years,
    "holds_title": _holds_title,
    "service_years": _service_years,
    "collective_share": _collective_share,
}


def _evaluate(criterion: Criterion, ctx: _Context) -> Finding:
    return RULES[criterion.rule](criterion.params, ctx)
