"""Reorganizations of the hierarchy as data: plans, their checks, and applying them to a registry.

See docs/hierarchy.md. ``plan_2025()`` is the real 2025 reorganization generated from the
reference data; ``data/example-2026.yaml`` is a hand-written example loaded with ``load_plan``.
"""

from shared.reorg.apply import (
    Ambiguity,
    Application,
    Closure,
    OperationReport,
    UnitMove,
    apply_plan,
)
from shared.reorg.checks import check_plan
from shared.reorg.generate import legacy_snapshot, plan_2025
from shared.reorg.loading import load_plan
from shared.reorg.plan import (
    AbolishTier,
    Dissolve,
    Merge,
    Move,
    Operation,
    Plan,
    PlanError,
    Rename,
    Split,
    parse_plan,
)

__all__ = [
    "AbolishTier",
    "Ambiguity",
    "Application",
    "Closure",
    "Dissolve",
    "Merge",
    "Move",
    "Operation",
    "OperationReport",
    "Plan",
    "PlanError",
    "Rename",
    "Split",
    "UnitMove",
    "apply_plan",
    "check_plan",
    "legacy_snapshot",
    "load_plan",
    "parse_plan",
    "plan_2025",
]
