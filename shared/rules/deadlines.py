"""Statutory processing deadlines per level and step, in working days (domain.md §4.4, §9.2).

Loaded from ``data/deadlines.yaml``; a malformed file raises `CatalogError` naming the file, the
entry (``level/step``) and the field. Dates come from `shared.rules.calendar`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.rules.calendar import WorkingCalendar, default_calendar
from shared.rules.datafiles import DATA_DIR, CatalogError, Citation, parse_model, read_yaml

Level = Literal[
    "unit",
    "commune",
    "district",
    "province",
    "ministry",
    "central_board",
    "prime_minister",
    "president",
]
StepKind = Literal[
    "appraisal",
    "return_ineligible",
    "submit_to_pm",
    "forward_decision",
    "consultation",
]
Escalation = Literal["notify_head", "reassign_substitute", "escalate_next_level"]
LEVELS: tuple[Level, ...] = get_args(Level)


class DeadlineRule(BaseModel):
    """How long one step may take at one level, when to remind, and what happens at expiry."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: Level
    step: StepKind
    working_days: int = Field(ge=1, le=120)
    reminders: tuple[float, ...] = Field(default=(0.5, 0.8), description="Shares of the time used")
    on_expiry: Escalation
    citation: Citation

    @field_validator("reminders")
    @classmethod
    def _fractions(cls, reminders: tuple[float, ...]) -> tuple[float, ...]:
        if any(not 0 < f < 1 for f in reminders):
            raise ValueError(f"reminders must be strictly between 0 and 1, got {list(reminders)}")
        if list(reminders) != sorted(set(reminders)):
            raise ValueError(f"reminders must be strictly increasing, got {list(reminders)}")
        return reminders

    def due(self, start: date, calendar: WorkingCalendar | None = None) -> date:
        """The deadline for a step whose clock starts on `start` (see shared.rules.calendar)."""
        return (calendar or default_calendar()).add_working_days(start, self.working_days)

    def reminder_dates(self, start: date, calendar: WorkingCalendar | None = None) -> tuple[date, ...]:
        """The dates at which each reminder fraction of the working time is used."""
        cal = calendar or default_calendar()
        return cal.deadline_points(start, self.working_days, self.reminders)


@dataclass(frozen=True)
class DeadlineTable:
    levels: dict[str, Level]  # authority code -> level
    rules: dict[tuple[str, str], DeadlineRule]

    def deadline_for(self, authority_or_level: str, step: StepKind) -> DeadlineRule:
        name = authority_or_level
        level = name if name in LEVELS else self.levels.get(name)
        if level is None:
            raise LookupError(f"'{name}' is neither a level {list(LEVELS)} nor a known authority")
        rule = self.rules.get((level, step))
        if rule is None:
            raise LookupError(f"no deadline rule for {level}/{step} in deadlines.yaml")
        return rule


def load_deadlines(
    path: Path = DATA_DIR / "deadlines.yaml", authorities: Path = DATA_DIR / "authorities.yaml"
) -> DeadlineTable:
    name = path.name
    raw: Any = read_yaml(path)
    if not (isinstance(raw, dict) and isinstance(raw.get("levels"), dict) and isinstance(raw.get("rules"), list)):
        raise CatalogError(name, None, None, "must map 'levels' to a mapping and 'rules' to a list")
    extra = sorted(str(k) for k in raw if k not in ("levels", "rules"))
    if extra:
        raise CatalogError(name, None, extra[0], "unknown top-level key; only 'levels' and 'rules'")
    known = _authority_codes(authorities)
    levels: dict[str, Level] = {}
    for level in LEVELS:
        codes = raw["levels"].get(level)
        if not isinstance(codes, list):
            raise CatalogError(name, "levels", level, "must be a list of authority codes (or [])")
        for code in codes:
            if code not in known:
                raise CatalogError(name, "levels", level, f"unknown authority '{code}'")
            if code in levels:
                raise CatalogError(name, "levels", level, f"'{code}' is also in '{levels[code]}'")
            levels[code] = level
    for key in sorted(set(map(str, raw["levels"])) - set(LEVELS)):
        raise CatalogError(name, "levels", key, f"unknown level; known: {list(LEVELS)}")
    rules: dict[tuple[str, str], DeadlineRule] = {}
    for index, item in enumerate(raw["rules"]):
        rule = parse_model(DeadlineRule, item, name, _entry_name(item, index))
        if (rule.level, rule.step) in rules:
            raise CatalogError(name, f"{rule.level}/{rule.step}", "step", "is defined twice")
        rules[(rule.level, rule.step)] = rule
    return DeadlineTable(levels=levels, rules=rules)


def _entry_name(item: Any, index: int) -> str:
    if isinstance(item, dict) and item.get("level") and item.get("step"):
        return f"{item['level']}/{item['step']}"
    return f"rules #{index + 1}"


def _authority_codes(path: Path) -> set[str]:
    raw = read_yaml(path)
    entries = raw.get("authorities") if isinstance(raw, dict) else None
    if not isinstance(entries, list):
        raise CatalogError(path.name, None, None, "must be a mapping with a list 'authorities'")
    return {str(e["code"]) for e in entries if isinstance(e, dict) and "code" in e}


@cache
def default_deadlines() -> DeadlineTable:
    return load_deadlines()


def deadline_for(authority_or_level: str, step: StepKind) -> DeadlineRule:
    """The shipped rule for `step` at a level ("commune") or an authority code ("commune_chair")."""
    return default_deadlines().deadline_for(authority_or_level, step)
