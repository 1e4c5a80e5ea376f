"""Rule sets: the eligibility criteria as data, and their loader (domain.md §3, §9.3, §9.4).

The criteria are YAML rule sets under ``shared/rules/data/rulesets/``. ``national.yaml`` is the
base; a provincial layer (``bac-ninh.yaml``) says ``extends: national``, lists the province codes
it ``applies_to`` and, per award, either ``replace``s the award's criteria or ``add``s some.

    code: national                  # a layer also has: extends, applies_to
    labels: {CSTD_CO_SO: "CSTĐCS"}  # short names used in evidence
    principles: {...}               # base only: the general principles, domain.md §3.1
    awards:
      CSTD_TINH:
        recipients: [individual]    # used when the award catalog does not know the award
        modes: [cong_trang]
        criteria:                   # in a layer: replace: [...] or add: [...]
          - code: cstd_tinh.streak
            rule: consecutive_titles
            description: "Có 03 lần liên tục đạt Chiến sĩ thi đua cơ sở"
            params: {title: CSTD_CO_SO, count: 3, ends: nomination_year}
            citation: {instrument: ..., article: ..., source: ..., confidence: H}
            regimes: [ND152]              # optional; default: every regime
            for_modes: [cong_trang]       # optional; this is the default
            for_recipients: [individual]  # optional; default: every recipient kind

The rules (`rule:`) and their parameters are the ``*Params`` models of ``ruleset_criteria.py``;
the functions that evaluate them are in ``criteria.py``. Here: the file's models, its loader and
checks, and how layers merge into the criteria of one award.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from shared.rules.catalog_entries import AwardMode, RecipientKind
from shared.rules.datafiles import Citation, StrictModel
from shared.rules.history import Rating
from shared.rules.ruleset_criteria import RULE_NAMES, Criterion

RULESETS_DIR = Path(__file__).parent / "data" / "rulesets"


class AwardRules(StrictModel):
    recipients: list[RecipientKind] | None = None
    modes: list[AwardMode] | None = None
    note: str | None = None
    criteria: list[Criterion] | None = None
    replace: list[Criterion] | None = None
    add: list[Criterion] | None = None

    @model_validator(mode="after")
    def _one_list(self) -> AwardRules:
        given = [name for name in ("criteria", "replace", "add") if getattr(self, name) is not None]
        if len(given) > 1:
            raise ValueError(f"give one of criteria, replace, add; got {given}")
        for name in given:
            codes = [c.code for c in getattr(self, name)]
            for index, criterion in enumerate(getattr(self, name)):
                if criterion.citation is None:
                    raise ValueError(f"{name}.{index}.citation is required for a top-level criterion")
                if codes.count(criterion.code) > 1:
                    raise ValueError(f"{name}.{index}.code '{criterion.code}' is used twice")
        return self

    @property
    def own(self) -> list[Criterion]:
        return self.criteria if self.criteria is not None else self.replace or self.add or []


class Principle(StrictModel):
    description: str
    citation: Citation


class EvidenceModes(Principle):
    excluded_modes: list[AwardMode]


class Maternity(Principle):
    counts_as: Rating
    bridges_title_streaks: bool


class Principles(StrictModel):
    hold: Principle
    discipline: Principle
    evidence_modes: EvidenceModes
    one_achievement: Principle
    initiative_once: Principle
    maternity: Maternity
    mode_and_recipient: Principle


class RuleSet(StrictModel):
    code: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    name: str
    extends: str | None = None
    applies_to: list[str] = Field(default_factory=list, description="Province codes, pre- and post-2025")
    labels: dict[str, str] = Field(default_factory=dict)
    principles: Principles | None = None
    awards: dict[str, AwardRules] = Field(default_factory=dict)
    source: str = Field(default="", exclude=True)

    @model_validator(mode="after")
    def _base_or_layer(self) -> RuleSet:
        if self.extends is None and self.principles is None:
            raise ValueError("principles: a base rule set (no 'extends') must define them")
        if self.extends is not None and (self.principles is not None or not self.applies_to):
            raise ValueError("a layer ('extends') lists applies_to and defines no principles")
        return self


class RulesetError(ValueError):
    """A rule set file that cannot be used; the message names the file, the award and the field."""

    def __init__(self, file: str, award: str | None, field: str | None, message: str) -> None:
        self.file, self.award, self.field = file, award, field
        where = file + (f": award '{award}'" if award else "") + (f", field '{field}'" if field else "")
        super().__init__(f"{where}: {message}")


def _validate(model: type[BaseModel], data: Any, file: str, award: str | None) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"] if p not in RULE_NAMES)
        raise RulesetError(file, award, field or None, first["msg"]) from None


def load_ruleset(path: Path) -> RuleSet:
    """Load and validate one rule set file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise RulesetError(path.name, None, None, f"cannot be read as YAML: {err}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("awards", {}), dict):
        raise RulesetError(path.name, None, "awards", "the file must be a mapping whose 'awards' is a mapping")
    header: RuleSet = _validate(RuleSet, {**raw, "awards": {}}, path.name, None)
    awards = {code: _award_rules(block, header, path.name, code) for code, block in raw.get("awards", {}).items()}
    return header.model_copy(update={"awards": awards, "source": path.name})


def _award_rules(block: Any, header: RuleSet, file: str, code: str) -> AwardRules:
    rules: AwardRules = _validate(AwardRules, block, file, code)
    if header.extends is None and (rules.replace is not None or rules.add is not None):
        raise RulesetError(
            file,
            code,
            "replace" if rules.replace is not None else "add",
            "a base rule set gives 'criteria'",
        )
    if header.extends is not None and rules.criteria is not None:
        raise RulesetError(file, code, "criteria", "a layer gives 'replace' or 'add'")
    return rules


def load_rulesets(directory: Path = RULESETS_DIR) -> dict[str, RuleSet]:
    """Load every ``*.yaml`` rule set; cross-check codes, `extends`, provinces, added criteria."""
    sets: dict[str, RuleSet] = {}
    for path in sorted(directory.glob("*.yaml")):
        ruleset = load_ruleset(path)
        if ruleset.code in sets:
            raise RulesetError(
                path.name,
                None,
                "code",
                f"'{ruleset.code}' is also defined in {sets[ruleset.code].source}",
            )
        sets[ruleset.code] = ruleset
    claimed: dict[str, str] = {}
    for ruleset in sets.values():
        for province in ruleset.applies_to:
            if province in claimed:
                raise RulesetError(
                    ruleset.source,
                    None,
                    "applies_to",
                    f"{province} is also claimed by {claimed[province]}",
                )
            claimed[province] = ruleset.code
        stack = _stack(sets, ruleset)
        for code in ruleset.awards:
            merge_award(stack, code)
    return sets


def _stack(sets: Mapping[str, RuleSet], top: RuleSet) -> list[RuleSet]:
    stack = [top]
    while stack[0].extends is not None:
        parent = sets.get(stack[0].extends)
        if parent is None or parent in stack:
            raise RulesetError(stack[0].source, None, "extends", f"'{stack[0].extends}' is unknown or circular")
        stack.insert(0, parent)
    return stack


@cache
def default_rulesets() -> dict[str, RuleSet]:
    """The rule sets shipped with tdkt, loaded once per process."""
    return load_rulesets()


def rulesets_for(province_code: str | None = None, rulesets: Mapping[str, RuleSet] | None = None) -> list[RuleSet]:
    """The layer stack for a province: ``[national]`` or ``[national, <province layer>]``."""
    sets = default_rulesets() if rulesets is None else rulesets
    layer = next((r for r in sets.values() if province_code in r.applies_to), None)
    if layer is None:
        bases = [r for r in sets.values() if r.extends is None]
        if len(bases) != 1:
            raise LookupError(f"expected one base rule set, found {[r.code for r in bases]}")
        return bases
    return _stack(sets, layer)


@dataclass(frozen=True)
class AwardView:
    """One award as a province's layer stack sees it: criteria merged, the rest from the top layer that says."""

    criteria: list[Criterion]
    recipients: list[RecipientKind] | None
    modes: list[AwardMode] | None
    note: str | None


def merge_award(stack: Sequence[RuleSet], code: str) -> AwardView:
    """Award `code` through the layers, base first: `replace` (or `criteria`) resets, `add` extends."""
    criteria: list[Criterion] = []
    recipients = modes = note = None
    for layer in stack:
        block = layer.awards.get(code)
        if block is None:
            continue
        if block.add is not None:
            clash = {c.code for c in criteria} & {c.code for c in block.add}
            if clash:
                raise RulesetError(
                    layer.source,
                    code,
                    "add",
                    f"criteria {sorted(clash)} already exist; use replace",
                )
            criteria = criteria + block.add
        else:
            criteria = list(block.own)
        recipients, modes, note = (
            block.recipients or recipients,
            block.modes or modes,
            block.note or note,
        )
    return AwardView(criteria, recipients, modes, note)
