"""Rules over the awards a nominee already holds: title streaks, a prior award then years, a title held.

Only awards the principles let count as evidence are used (mode, decision date, discipline); the
others are listed as "not counted" with the reason, so an officer sees why a title was left out.
"""

from __future__ import annotations

from itertools import takewhile

from shared.rules.findings import Finding, RuleContext, Status
from shared.rules.ruleset_criteria import ConsecutiveTitlesParams, HoldsTitleParams, PriorAwardThenYearsParams


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


def consecutive_titles(p: ConsecutiveTitlesParams, ctx: RuleContext) -> Finding:
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


def prior_award_then_years(p: PriorAwardThenYearsParams, ctx: RuleContext) -> Finding:
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


def holds_title(p: HoldsTitleParams, ctx: RuleContext) -> Finding:
    held = [a for a in ctx.awards(p.award_codes, p.count_modes) if a.year <= ctx.year]
    evidence = [ctx.award_line(a) for a in held] + ctx.not_counted(p.award_codes, p.count_modes)
    names = " hoặc ".join(ctx.label(c) for c in p.award_codes)
    return Finding(
        "met" if held else "not_met",
        f"{'đã' if held else 'chưa'} có {names}",
        evidence or [f"Không có {names} trong hồ sơ"],
    )
