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

The rules (`rule:`) and their parameters are the ``*Params`` models below; the functions that
evaluate them are in ``criteria.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shared.rules.catalog import AwardMode, Citation, RecipientKind
from shared.rules.history import Rating, Scope

RULESETS_DIR = Path(__file__).parent / "data" / "rulesets"
InitiativeType = Literal["sang_kien", "de_tai"]


# ---------------------------------------------------------------- rule set schema


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _cong_trang() -> list[AwardMode]:
    return ["cong_trang"]


def _both_types() -> list[InitiativeType]:
    return ["sang_kien", "de_tai"]


class RatingAtLeastParams(_Strict):
    """The nomination year's rating is at least `min`."""

    rule: Literal["rating_at_least"]
    min: Rating


class AnyOfParams(_Strict):
    rule: Literal["any_of"]
    criteria: list[Criterion] = Field(min_length=1)


class AllOfParams(_Strict):
    rule: Literal["all_of"]
    criteria: list[Criterion] = Field(min_length=1)


class ConsecutiveTitlesParams(_Strict):
    """`count` consecutive `title` awards, the last in the year(s) `ends` names.

    Titles are consecutive when at most `period_years` apart (1 for yearly titles, 3 for a title
    earned once per three-year CSTĐCS cycle). The conferring agency is ignored, so a streak runs
    across the 2025 reorganisation.
    """

    rule: Literal["consecutive_titles"]
    title: str
    count: int = Field(ge=1)
    ends: Literal["nomination_year", "previous_year", "nomination_or_previous"]
    period_years: int = Field(default=1, ge=1)
    count_modes: list[AwardMode] = Field(default_factory=_cong_trang)


class ConsecutiveRatingsParams(_Strict):
    """`count` consecutive years rated at least `min`, ending at the nomination year."""

    rule: Literal["consecutive_ratings"]
    min: Rating
    count: int = Field(ge=1)


class InitiativeScopeParams(_Strict):
    """`count` unused initiatives recognised at `scope` or wider, within the last `within_years`
    years up to the nomination year (None: any time)."""

    rule: Literal["initiative_scope"]
    scope: Scope
    count: int = Field(default=1, ge=1)
    types: list[InitiativeType] = Field(default_factory=_both_types)
    within_years: int | None = Field(ge=1)


class PriorAwardThenYearsParams(_Strict):
    """One of `prior`, then ≥`years` consecutive years up to the nomination year rated at least
    `min_rating`, with ≥`cstdcs` `cstdcs_title` years and ≥`xuat_sac` excellent years among them."""

    rule: Literal["prior_award_then_years"]
    prior: list[str] = Field(min_length=1)
    years: int = Field(ge=1)
    min_rating: Rating = "tot"
    cstdcs: int = Field(default=0, ge=0)
    xuat_sac: int = Field(default=0, ge=0)
    cstdcs_title: str = "CSTD_CO_SO"
    restart_after_same_award: bool
    count_modes: list[AwardMode] = Field(default_factory=_cong_trang)


class HoldsTitleParams(_Strict):
    rule: Literal["holds_title"]
    award_codes: list[str] = Field(min_length=1)
    count_modes: list[AwardMode] = Field(default_factory=_cong_trang)


class ServiceYearsParams(_Strict):
    """≥`min_years` of service in `roles` up to the nomination year; hardship years × multiplier."""

    rule: Literal["service_years"]
    min_years: float = Field(gt=0)
    roles: list[Literal["teaching", "managing", "other"]] = Field(min_length=1)
    hardship_multiplier: float = Field(default=1, ge=1)


class CollectiveShareParams(_Strict):
    """Checks on the collective's nomination year; optional member counts follow `when_missing`."""

    rule: Literal["collective_share"]
    min_rating: Rating | None = None
    lddt_share: float | None = Field(default=None, gt=0, le=1)
    max_disciplined_warning: int | None = Field(default=None, ge=0)
    all_members_complete: bool = False
    min_cstdcs_members: int | None = Field(default=None, ge=1)
    when_missing: Literal["unknown", "skip"] = "unknown"

    @model_validator(mode="after")
    def _checks_something(self) -> CollectiveShareParams:
        if (
            self.min_rating,
            self.lddt_share,
            self.max_disciplined_warning,
            self.min_cstdcs_members,
        ) == (None, None, None, None) and not self.all_members_complete:
            raise ValueError("collective_share needs at least one check")
        return self


Params = Annotated[
    RatingAtLeastParams
    | AnyOfParams
    | AllOfParams
    | ConsecutiveTitlesParams
    | ConsecutiveRatingsParams
    | InitiativeScopeParams
    | PriorAwardThenYearsParams
    | HoldsTitleParams
    | ServiceYearsParams
    | CollectiveShareParams,
    Field(discriminator="rule"),
]
RuleName = Literal[
    "rating_at_least",
    "any_of",
    "all_of",
    "consecutive_titles",
    "consecutive_ratings",
    "initiative_scope",
    "prior_award_then_years",
    "holds_title",
    "service_years",
    "collective_share",
]
RULE_NAMES = set(RuleName.__args__)  # type: ignore[attr-defined]


class Criterion(_Strict):
    code: str = Field(pattern=r"^[a-z0-9_.]+$")
    rule: RuleName
    description: str = Field(min_length=1)
    params: Params
    citation: Citation | None = Field(default=None, description="Required at top level; nested ones inherit")
    regimes: list[str] | None = None
    for_modes: list[AwardMode] = Field(default_factory=_cong_trang)
    for_recipients: list[RecipientKind] | None = None

    @model_validator(mode="before")
    @classmethod
    def _tag_params(cls, data: Any) -> Any:
        # The `params` union is told apart by the criterion's own `rule`.
        if isinstance(data, dict) and isinstance(data.get("params"), dict):
            return {**data, "params": {"rule": data.get("rule"), **data["params"]}}
        return data

    def applies(self, regime: str, mode: str, recipient_kind: str) -> bool:
        return (
            (self.regimes is None or regime in self.regimes)
            and mode in self.for_modes
            and (self.for_recipients is None or recipient_kind in self.for_recipients)
        )


AnyOfParams.model_rebuild()
AllOfParams.model_rebuild()


class AwardRules(_Strict):
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


class Principle(_Strict):
    description: str
    citation: Citation


class EvidenceModes(Principle):
    excluded_modes: list[AwardMode]


class Maternity(Principle):
    counts_as: Rating
    bridges_title_streaks: bool


class Principles(_Strict):
    hold: Principle
    discipline: Principle
    evidence_modes: EvidenceModes
    one_achievement: Principle
    initiative_once: Principle
    maternity: Maternity
    mode_and_recipient: Principle


class RuleSet(_Strict):
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
            _merge(stack, code)
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
class _AwardView:
    criteria: list[Criterion]
    recipients: list[RecipientKind] | None
    modes: list[AwardMode] | None
    note: str | None


def _merge(stack: Sequence[RuleSet], code: str) -> _AwardView:
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
    return _AwardView(criteria, recipients, modes, note)
