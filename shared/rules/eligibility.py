"""Eligibility: does a nominee's history meet an award's criteria? (domain.md §3, §9.3, §9.4).

The criteria are data: YAML rule sets, whose format and loader are in ``rulesets.py``; the rules
they name are evaluated in ``criteria.py``. Here: the general principles (§3.1), the verdict and
the entry point, ``check_eligibility``. Missing data gives ``unknown``, never a silent ``met``;
every result names the facts it used and its article.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from shared.rules.catalog import Catalog, default_catalog
from shared.rules.catalog_entries import AwardMode, RecipientKind
from shared.rules.criteria import evaluate
from shared.rules.datafiles import CatalogError
from shared.rules.findings import MODE_VI, STATUS_VI, Finding, RuleContext, Status
from shared.rules.history import LABELS_VI, NomineeHistory
from shared.rules.ruleset_criteria import Criterion
from shared.rules.rulesets import (
    RULESETS_DIR,
    AwardView,
    Principle,
    RuleSet,
    RulesetError,
    default_rulesets,
    load_ruleset,
    load_rulesets,
    merge_award,
    rulesets_for,
)

__all__ = [
    "RULESETS_DIR",
    "CriterionResult",
    "RuleSet",
    "RulesetError",
    "Verdict",
    "check_eligibility",
    "default_rulesets",
    "load_ruleset",
    "load_rulesets",
    "rulesets_for",
]

Outcome = Literal["eligible", "ineligible", "incomplete"]
HOLD_VI = {
    "investigation": "đang bị điều tra",
    "complaint": "đang giải quyết khiếu nại, tố cáo",
    "inspection": "đang thanh tra, kiểm tra",
    "press": "đang xác minh vụ việc báo chí phản ánh",
    "discipline_review": "đang xem xét kỷ luật",
}


# ---------------------------------------------------------------- verdict


@dataclass(frozen=True)
class CriterionResult:
    code: str
    description: str
    status: Status
    evidence: list[str]
    citation: str
    configurable: bool
    detail: str = ""


@dataclass(frozen=True)
class Verdict:
    award_code: str
    regime: str
    rulesets: list[str]
    outcome: Outcome
    criteria: list[CriterionResult]
    mode: str
    year: int
    on: date
    recipient_kind: str

    def to_dict(self) -> dict[str, Any]:
        return {**dataclasses.asdict(self), "on": self.on.isoformat()}

    def reasons(self) -> list[str]:
        """Why the nominee is not (yet) eligible: one line per criterion not met or unknown."""
        return [
            f"{STATUS_VI[c.status].capitalize()}: {c.description} — {c.detail} ({c.citation})"
            for c in self.criteria
            if c.status != "met"
        ]


def _outcome(results: Iterable[CriterionResult]) -> Outcome:
    statuses = {r.status for r in results}
    return "ineligible" if "not_met" in statuses else "incomplete" if "unknown" in statuses else "eligible"


# ---------------------------------------------------------------- general principles (§3.1)


def _hold(ctx: RuleContext) -> Finding:
    holds = ctx.history.holds
    open_ = [h for h in holds if h.active_on(ctx.on)]
    evidence = [
        f"{HOLD_VI[h.reason]} từ {h.start.isoformat()}" + (f" đến {h.end.isoformat()}" if h.end else " (chưa kết thúc)")
        for h in holds
    ]
    detail = "; ".join(HOLD_VI[h.reason] for h in open_) if open_ else "không có vụ việc đang xem xét"
    return Finding("not_met" if open_ else "met", detail, evidence or ["Không có vụ việc nào"])


def _discipline(ctx: RuleContext) -> Finding:
    active = [d for d in ctx.history.disciplines if d.active_on(ctx.on)]
    detail = f"đang chịu kỷ luật ({', '.join(d.level for d in active)})" if active else "không đang chịu kỷ luật"
    evidence = ctx.discipline_lines(all_=True) or ["Không có kỷ luật"]
    return Finding("not_met" if active else "met", detail, evidence)


def _one_achievement(ctx: RuleContext, achievement: str | None) -> Finding:
    same = [a for a in ctx.history.awards if achievement and a.achievement == achievement]
    if ctx.mode == "cong_trang":
        same += [
            a
            for a in ctx.history.awards
            if a.award_code == ctx.award_code and a.year == ctx.year and a.mode == "cong_trang" and a not in same
        ]
    evidence = [
        f"Đã khen {ctx.award_line(a)}" + (f" cho thành tích {a.achievement}" if a.achievement else "") for a in same
    ]
    if not achievement:
        evidence.append("Đề nghị không nêu mã thành tích; chỉ đối chiếu danh hiệu cùng năm")
    elif not same:
        evidence.append(f"Thành tích {achievement} chưa có trong các quyết định khen thưởng đã ghi nhận")
    detail = "thành tích này đã được khen thưởng" if same else "thành tích chưa được khen thưởng"
    return Finding("not_met" if same else "met", detail, evidence)


def _initiative_once(ctx: RuleContext) -> Finding:
    used, known = ctx.history.used_initiatives(), ctx.history.initiatives
    reused = [i for i in ctx.claimed if i in used]
    missing = [i for i in ctx.claimed if i not in known]
    evidence = [f"{i}: đã dùng cho {ctx.award_line(used[i])}" for i in reused]
    evidence += [f"{i}: không có trong hồ sơ sáng kiến" for i in missing]
    evidence += [f"{i}: chưa được sử dụng" for i in ctx.claimed if i not in reused + missing]
    if not ctx.claimed:
        evidence.append(
            "Đề nghị không nêu sáng kiến; sáng kiến đã dùng không được tính: " + (", ".join(sorted(used)) or "không có")
        )
    status: Status = "not_met" if reused else "unknown" if missing else "met"
    detail = f"sáng kiến đã được sử dụng: {', '.join(reused)}" if reused else "không dùng lại sáng kiến"
    return Finding(status, detail, evidence)


def _mode_and_recipient(ctx: RuleContext, view: AwardView, catalog: Catalog | None, note: str) -> Finding:
    entry = catalog.awards.get(ctx.award_code) if catalog else None
    modes = entry.modes if entry else view.modes
    recipients = entry.recipients if entry else view.recipients
    source = "danh mục khen thưởng" if entry else "bộ quy tắc"
    if modes is None or recipients is None:
        return Finding(
            "unknown",
            f"không có thông tin về {ctx.label(ctx.award_code)}",
            [note or "Không có trong danh mục"],
        )
    problems = ([f"loại hình {MODE_VI[ctx.mode]} không áp dụng"] if ctx.mode not in modes else []) + (
        [f"không tặng cho {LABELS_VI[ctx.recipient_kind]}"] if ctx.recipient_kind not in recipients else []
    )
    evidence = [
        f"Theo {source}: loại hình {', '.join(MODE_VI[m] for m in modes)}; "
        f"đối tượng {', '.join(LABELS_VI[r] for r in recipients)}"
    ]
    return Finding(
        "not_met" if problems else "met",
        "; ".join(problems) or "phù hợp",
        evidence + ([note] if note else []),
    )


def _principle_result(code: str, principle: Principle, finding: Finding) -> CriterionResult:
    return CriterionResult(
        f"general.{code}",
        principle.description,
        finding.status,
        finding.evidence,
        principle.citation.text(),
        principle.citation.configurable,
        finding.detail,
    )


def _load_catalog() -> tuple[Catalog | None, str]:
    try:
        return default_catalog(), ""
    except CatalogError as err:
        return None, f"Danh mục khen thưởng không tải được: {err}"


# ---------------------------------------------------------------- entry point


def check_eligibility(
    award_code: str,
    history: NomineeHistory | Iterable[Mapping[str, Any]],
    *,
    mode: AwardMode,
    year: int,
    on: date,
    regime: str,
    province_code: str | None = None,
    achievement: str | None = None,
    initiative_ids: Sequence[str] = (),
    recipient_kind: RecipientKind = "individual",
    rulesets: Sequence[RuleSet] | None = None,
    catalog: Catalog | None = None,
) -> Verdict:
    """Check `history` against `award_code` for achievement `year`, judged on `on` under `regime`.

    `rulesets` is a layer stack (default: `rulesets_for(province_code)`); `catalog` gives the
    award's modes and recipients (default: the shipped catalog, else the rule set's own).
    """
    if mode not in MODE_VI or recipient_kind not in ("individual", "collective", "household"):
        raise ValueError(f"unknown mode '{mode}' or recipient kind '{recipient_kind}'")
    if not isinstance(history, NomineeHistory):
        history = NomineeHistory.from_facts(history)
    stack = list(rulesets) if rulesets is not None else rulesets_for(province_code)
    principles = stack[0].principles
    if principles is None:
        raise LookupError(f"rule set '{stack[0].code}' is not a base rule set")
    catalog_note = ""
    if catalog is None:
        catalog, catalog_note = _load_catalog()
    view = merge_award(stack, award_code)
    labels = {k: v for layer in stack for k, v in layer.labels.items()}
    ctx = RuleContext(
        history,
        award_code,
        mode,
        year,
        on,
        recipient_kind,
        tuple(initiative_ids),
        principles,
        labels,
    )
    results = [
        _principle_result(
            "mode_and_recipient",
            principles.mode_and_recipient,
            _mode_and_recipient(ctx, view, catalog, catalog_note),
        ),
        _principle_result("hold", principles.hold, _hold(ctx)),
        _principle_result("discipline", principles.discipline, _discipline(ctx)),
        _principle_result("one_achievement", principles.one_achievement, _one_achievement(ctx, achievement)),
        _principle_result("initiative_once", principles.initiative_once, _initiative_once(ctx)),
    ]
    applicable = [c for c in view.criteria if c.applies(regime, mode, recipient_kind)]
    # A service that holds no history at all for the nominee cannot say a criterion is not met:
    # every criterion is unknown, and a person must judge (the submission only warns).
    judge = evaluate if history.facts() else _no_history
    results += [_criterion_result(c, judge(c, ctx)) for c in applicable] or [_no_criteria(ctx, view, stack, regime)]
    return Verdict(
        award_code,
        regime,
        [layer.code for layer in stack],
        _outcome(results),
        results,
        mode,
        year,
        on,
        recipient_kind,
    )


def _no_history(criterion: Criterion, ctx: RuleContext) -> Finding:
    return Finding("unknown", "chưa có dữ liệu", ["Chưa có hồ sơ quá trình (lịch sử) của đối tượng tại cơ quan này"])


def _criterion_result(criterion: Criterion, finding: Finding) -> CriterionResult:
    citation = criterion.citation
    assert citation is not None  # the loader requires it on top-level criteria
    return CriterionResult(
        criterion.code,
        criterion.description,
        finding.status,
        finding.evidence,
        citation.text(),
        citation.configurable,
        finding.detail,
    )


def _no_criteria(ctx: RuleContext, view: AwardView, stack: Sequence[RuleSet], regime: str) -> CriterionResult:
    where = ", ".join(layer.code for layer in stack)
    return CriterionResult(
        "rules.none",
        f"Tiêu chuẩn của {ctx.label(ctx.award_code)} cần cán bộ thẩm định",
        "unknown",
        [view.note or f"Bộ quy tắc {where} không có tiêu chí tự động cho trường hợp này"],
        f"Bộ quy tắc: {where}",
        True,
        f"không có tiêu chí kiểm tra tự động ({MODE_VI[ctx.mode]}, {LABELS_VI[ctx.recipient_kind]}, {regime})",
    )
