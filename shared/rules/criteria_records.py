"""Rules over the yearly records: ratings, initiatives, years of service and the collective's numbers.

A year without a rating, an unknown initiative or a missing member count gives ``unknown``,
never a silent ``met``.
"""

from __future__ import annotations

from fractions import Fraction

from shared.rules.findings import Finding, RuleContext, Status
from shared.rules.history import LABELS_VI, RATING_LABELS, SCOPE_RANK, InitiativeFact, at_least
from shared.rules.ruleset_criteria import (
    ClusterRankParams,
    CollectiveShareParams,
    ConsecutiveRatingsParams,
    InitiativeScopeParams,
    RatingAtLeastParams,
    ServiceYearsParams,
)


def rating_at_least(p: RatingAtLeastParams, ctx: RuleContext) -> Finding:
    state, line = ctx.year_state(ctx.year, p.min)
    status: Status = "met" if state == "pass" else "not_met" if state == "fail" else "unknown"
    return Finding(
        status,
        f"năm {ctx.year} cần {RATING_LABELS[p.min]} trở lên",
        [line, *ctx.discipline_lines()],
    )


def consecutive_ratings(p: ConsecutiveRatingsParams, ctx: RuleContext) -> Finding:
    run, lines = ctx.walk(p.min, ctx.floor or 0, need=p.count)
    counted = [s for _, s in run if s != "bridge"]
    status: Status = "not_met" if len(counted) < p.count else "unknown" if "unknown" in counted else "met"
    detail = f"{counted.count('pass')} năm liên tục {RATING_LABELS[p.min]} trở lên, cần {p.count}"
    return Finding(status, detail, lines + ctx.discipline_lines())


def _initiative_line(i: InitiativeFact) -> str:
    return (
        f"{i.id} «{i.title}» ({LABELS_VI[i.type]}, phạm vi {LABELS_VI[i.scope]}, "
        f"công nhận {i.recognised_on.isoformat()}, {i.recognised_by})"
    )


def initiative_scope(p: InitiativeScopeParams, ctx: RuleContext) -> Finding:
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


def service_years(p: ServiceYearsParams, ctx: RuleContext) -> Finding:
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


def cluster_rank_at_most(p: ClusterRankParams, ctx: RuleContext) -> Finding:
    """No ranking on record is `unknown` (the cluster may be run outside the system), never `not_met`."""
    ranks = ctx.history.cluster_ranks(ctx.year)
    lines = [f"{r.year}: hạng {r.rank}/{r.members} {r.cluster_name} ({r.organiser_agency})" for r in ranks]
    if not ranks:
        return Finding(
            "unknown", f"chưa có kết quả xếp hạng cụm, khối thi đua năm {ctx.year}", [f"{ctx.year}: không có"]
        )
    status: Status = "met" if min(r.rank for r in ranks) <= p.max else "not_met"
    return Finding(status, f"năm {ctx.year} cần xếp hạng {p.max} trở lên trong cụm, khối thi đua", lines)


def collective_share(p: CollectiveShareParams, ctx: RuleContext) -> Finding:
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
