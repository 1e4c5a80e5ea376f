"""The rules of the rule sets: which evaluator answers each `rule:` name, and the two that combine others.

The evaluators are in ``criteria_awards.py`` (awards already held) and ``criteria_records.py``
(ratings, initiatives, service, the collective); `evaluate` dispatches a criterion to its rule.
Missing data gives ``unknown``, never a silent ``met``; every finding names the facts it used.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from shared.rules.criteria_awards import consecutive_titles, holds_title, prior_award_then_years
from shared.rules.criteria_records import (
    cluster_rank_at_most,
    collective_share,
    consecutive_ratings,
    initiative_scope,
    rating_at_least,
    service_years,
)
from shared.rules.findings import STATUS_VI, Finding, RuleContext, Status
from shared.rules.ruleset_criteria import AllOfParams, AnyOfParams, Criterion


def _composite(criteria: list[Criterion], ctx: RuleContext, *, need_all: bool) -> Finding:
    """all_of fails on one `not_met`, any_of passes on one `met`; otherwise one `unknown` leaves it open."""
    found = [(c, evaluate(c, ctx)) for c in criteria]
    statuses = {f.status for _, f in found}
    decisive: Status = "not_met" if need_all else "met"
    fallback: Status = "met" if need_all else "not_met"
    status: Status = decisive if decisive in statuses else "unknown" if "unknown" in statuses else fallback
    evidence = [
        line
        for c, f in found
        for line in [
            f"[{STATUS_VI[f.status]}] {c.description}: {f.detail}",
            *(f"  {e}" for e in f.evidence),
        ]
    ]
    detail = "; ".join(f"{c.description}: {STATUS_VI[f.status]}" for c, f in found)
    return Finding(status, detail, evidence)


def _any_of(p: AnyOfParams, ctx: RuleContext) -> Finding:
    return _composite(p.criteria, ctx, need_all=False)


def _all_of(p: AllOfParams, ctx: RuleContext) -> Finding:
    return _composite(p.criteria, ctx, need_all=True)


RULES: dict[str, Callable[[Any, RuleContext], Finding]] = {
    "rating_at_least": rating_at_least,
    "any_of": _any_of,
    "all_of": _all_of,
    "consecutive_titles": consecutive_titles,
    "consecutive_ratings": consecutive_ratings,
    "initiative_scope": initiative_scope,
    "prior_award_then_years": prior_award_then_years,
    "holds_title": holds_title,
    "service_years": service_years,
    "collective_share": collective_share,
    "cluster_rank_at_most": cluster_rank_at_most,
}


def evaluate(criterion: Criterion, ctx: RuleContext) -> Finding:
    """The finding of the rule the criterion names, on its parameters."""
    return RULES[criterion.rule](criterion.params, ctx)
