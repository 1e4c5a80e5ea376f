"""Eligibility: does a nominee's history meet an award's criteria? (domain.md §3, §9.3, §9.4).

The criteria are data: YAML rule sets under ``shared/rules/data/rulesets/``. ``national.yaml`` is
the base; a provincial layer (``bac-ninh.yaml``) says ``extends: national``, lists the province
codes it ``applies_to`` and, per award, either ``replace``s the award's criteria or ``add``s some.

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

The rules (`rule:`) and their parameters are the ``*Params`` models below. Missing data gives
``unknown``, never a silent ``met``; every result names the facts it used and its article.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import cache, cached_property
from itertools import takewhile
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from shared.rules.catalog import (
    AwardMode,
    Catalog,
    CatalogError,
    Citation,
    RecipientKind,
    default_catalog,
)
from shared.rules.history import (
    LABELS_VI,
    RATING_LABELS,
    SCOPE_RANK,
    AwardFact,
    NomineeHistory,
    Rating,
    Scope,
    at_least,
)

RULESETS_DIR = Path(__file__).parent / "data" / "rulesets"
InitiativeType = Literal["sang_kien", "de_tai"]
Status = Literal["met", "not_met", "unknown"]
Outcome = Literal["eligible", "ineligible", "incomplete"]
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
HOLD_VI = {
    "investigation": "đang bị điều tra",
    "complaint": "đang giải quyết khiếu nại, tố cáo",
    "inspection": "đang thanh tra, kiểm tra",
    "press": "đang xác minh vụ việc báo chí phản ánh",
    "discipline_review": "đang xem xét kỷ luật",
}


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
    citation: Citation | None = Field(
        default=None, description="Required at top level; nested ones inherit"
    )
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
                    raise ValueError(
                        f"{name}.{index}.citation is required for a top-level criterion"
                    )
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
    applies_to: list[str] = Field(
        default_factory=list, description="Province codes, pre- and post-2025"
    )
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
        where = (
            file + (f": award '{award}'" if award else "") + (f", field '{field}'" if field else "")
        )
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
        raise RulesetError(
            path.name, None, "awards", "the file must be a mapping whose 'awards' is a mapping"
        )
    header: RuleSet = _validate(RuleSet, {**raw, "awards": {}}, path.name, None)
    awards = {
        code: _award_rules(block, header, path.name, code)
        for code, block in raw.get("awards", {}).items()
    }
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
            raise RulesetError(
                stack[0].source, None, "extends", f"'{stack[0].extends}' is unknown or circular"
            )
        stack.insert(0, parent)
    return stack


@cache
def default_rulesets() -> dict[str, RuleSet]:
    """The rule sets shipped with tdkt, loaded once per process."""
    return load_rulesets()


def rulesets_for(
    province_code: str | None = None, rulesets: Mapping[str, RuleSet] | None = None
) -> list[RuleSet]:
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
    return (
        "ineligible"
        if "not_met" in statuses
        else "incomplete"
        if "unknown" in statuses
        else "eligible"
    )


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
        ref = ", ".join(
            x for x in (award.decision_no and f"QĐ {award.decision_no}", award.conferred_by) if x
        )
        mode = "" if award.mode == "cong_trang" else f", {MODE_VI[award.mode]}"
        return f"{award.year}: {self.label(award.award_code)} ({ref}{mode})"

    def _excluded(self, award: AwardFact, modes: Sequence[str]) -> str | None:
        if (
            self.mode == "cong_trang"
            and award.mode in self.principles.evidence_modes.excluded_modes
        ):
            return "khen thưởng đột xuất, chuyên đề không dùng làm căn cứ khen công trạng"
        if award.mode not in modes:
            return f"loại hình {MODE_VI[award.mode]} không được tính cho tiêu chí này"
        if award.decided_on > self.on:
            return f"quyết định ngày {award.decided_on.isoformat()} sau ngày xét"
        return None

    def awards(self, codes: Sequence[str], modes: Sequence[str]) -> list[AwardFact]:
        found = [
            a
            for a in self.history.awards
            if a.award_code in codes and self._excluded(a, modes) is None
        ]
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
        restart = (
            [] if self.floor is None else [f"Thành tích được tính lại từ năm {self.floor + 1}"]
        )
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

    def walk(
        self, minimum: str, after: int, need: int | None = None
    ) -> tuple[list[tuple[int, str]], list[str]]:
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
    held = {
        a.year: a
        for a in ctx.awards([p.title], p.count_modes)
        if ctx.counts(a.year) and a.year <= ctx.year
    }
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
    return Finding(
        status, f"{len(chain)} lần liên tục {ctx.label(p.title)}, cần {p.count}", evidence
    )


def _consecutive_ratings(p: ConsecutiveRatingsParams, ctx: _Context) -> Finding:
    run, lines = ctx.walk(p.min, ctx.floor or 0, need=p.count)
    counted = [s for _, s in run if s != "bridge"]
    status: Status = (
        "not_met" if len(counted) < p.count else "unknown" if "unknown" in counted else "met"
    )
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
    detail = (
        f"{len(qualifying)} {kinds} phạm vi {scope} trở lên chưa sử dụng{window}, cần {p.count}"
    )
    return Finding(status, detail, evidence or ["Không có sáng kiến, đề tài nào trong hồ sơ"])


def _prior_award_then_years(p: PriorAwardThenYearsParams, ctx: _Context) -> Finding:
    priors = [a for a in ctx.awards(p.prior, p.count_modes) if a.year < ctx.year]
    evidence = [ctx.award_line(a) for a in priors] + ctx.not_counted(p.prior, p.count_modes)
    names = " hoặc ".join(ctx.label(c) for c in p.prior)
    if not priors:
        return Finding(
            "not_met", f"chưa có {names} (công trạng)", evidence or [f"Không có {names}"]
        )
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

    status: Status = (
        "met" if enough(sure, 0) else "unknown" if enough(possible, len(unknown)) else "not_met"
    )
    evidence += (
        lines
        + [ctx.award_line(titles[y]) for y in sorted(possible) if y in titles]
        + ctx.discipline_lines()
    )
    detail = (
        f"sau {ctx.award_line(priors[0])}: {len(sure)} năm liên tục (cần {p.years}), "
        f"{sum(y in titles for y in sure)} lần {ctx.label(p.cstdcs_title)} (cần {p.cstdcs}), "
        f"{excellent(sure)} năm xuất sắc (cần {p.xuat_sac})"
        + (
            f"; thiếu kết quả đánh giá năm {', '.join(map(str, sorted(unknown)))}"
            if unknown
            else ""
        )
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
        return Finding(
            "unknown", "chưa có dữ liệu quá trình công tác", ["Không có dữ kiện quá trình công tác"]
        )
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
    checks: list[tuple[bool | None, str]] = [
        (None, f"{ctx.year}: {c.members} thành viên, {RATING_LABELS[c.rating]}")
    ]
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
        checks.append(
            (ok, f"{c.disciplined_warning_or_above} người bị kỷ luật từ cảnh cáo trở lên")
        )
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
        checks.append(
            (enough, f"{c.cstdcs_members if enough is not None else 'chưa rõ số'} người đạt CSTĐCS")
        )
    gaps = [line for ok, line in checks[1:] if ok is None]
    status: Status = (
        "not_met"
        if any(ok is False for ok, _ in checks)
        else "unknown"
        if gaps and p.when_missing == "unknown"
        else "met"
    )
    evidence = [
        line + ("" if ok is None else f" — {'đạt' if ok else 'không đạt'}") for ok, line in checks
    ]
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


# ---------------------------------------------------------------- general principles (§3.1)


def _hold(ctx: _Context) -> Finding:
    holds = ctx.history.holds
    open_ = [h for h in holds if h.active_on(ctx.on)]
    evidence = [
        f"{HOLD_VI[h.reason]} từ {h.start.isoformat()}"
        + (f" đến {h.end.isoformat()}" if h.end else " (chưa kết thúc)")
        for h in holds
    ]
    detail = (
        "; ".join(HOLD_VI[h.reason] for h in open_) if open_ else "không có vụ việc đang xem xét"
    )
    return Finding("not_met" if open_ else "met", detail, evidence or ["Không có vụ việc nào"])


def _discipline(ctx: _Context) -> Finding:
    active = [d for d in ctx.history.disciplines if d.active_on(ctx.on)]
    detail = (
        f"đang chịu kỷ luật ({', '.join(d.level for d in active)})"
        if active
        else "không đang chịu kỷ luật"
    )
    evidence = ctx.discipline_lines(all_=True) or ["Không có kỷ luật"]
    return Finding("not_met" if active else "met", detail, evidence)


def _one_achievement(ctx: _Context, achievement: str | None) -> Finding:
    same = [a for a in ctx.history.awards if achievement and a.achievement == achievement]
    if ctx.mode == "cong_trang":
        same += [
            a
            for a in ctx.history.awards
            if a.award_code == ctx.award_code
            and a.year == ctx.year
            and a.mode == "cong_trang"
            and a not in same
        ]
    evidence = [
        f"Đã khen {ctx.award_line(a)}"
        + (f" cho thành tích {a.achievement}" if a.achievement else "")
        for a in same
    ]
    if not achievement:
        evidence.append("Đề nghị không nêu mã thành tích; chỉ đối chiếu danh hiệu cùng năm")
    elif not same:
        evidence.append(
            f"Thành tích {achievement} chưa có trong các quyết định khen thưởng đã ghi nhận"
        )
    detail = "thành tích này đã được khen thưởng" if same else "thành tích chưa được khen thưởng"
    return Finding("not_met" if same else "met", detail, evidence)


def _initiative_once(ctx: _Context) -> Finding:
    used, known = ctx.history.used_initiatives(), ctx.history.initiatives
    reused = [i for i in ctx.claimed if i in used]
    missing = [i for i in ctx.claimed if i not in known]
    evidence = [f"{i}: đã dùng cho {ctx.award_line(used[i])}" for i in reused]
    evidence += [f"{i}: không có trong hồ sơ sáng kiến" for i in missing]
    evidence += [f"{i}: chưa được sử dụng" for i in ctx.claimed if i not in reused + missing]
    if not ctx.claimed:
        evidence.append(
            "Đề nghị không nêu sáng kiến; sáng kiến đã dùng không được tính: "
            + (", ".join(sorted(used)) or "không có")
        )
    status: Status = "not_met" if reused else "unknown" if missing else "met"
    detail = (
        f"sáng kiến đã được sử dụng: {', '.join(reused)}" if reused else "không dùng lại sáng kiến"
    )
    return Finding(status, detail, evidence)


def _mode_and_recipient(
    ctx: _Context, view: _AwardView, catalog: Catalog | None, note: str
) -> Finding:
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
    problems = (
        [f"loại hình {MODE_VI[ctx.mode]} không áp dụng"] if ctx.mode not in modes else []
    ) + (
        [f"không tặng cho {LABELS_VI[ctx.recipient_kind]}"]
        if ctx.recipient_kind not in recipients
        else []
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
    view = _merge(stack, award_code)
    labels = {k: v for layer in stack for k, v in layer.labels.items()}
    ctx = _Context(
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
        _principle_result(
            "one_achievement", principles.one_achievement, _one_achievement(ctx, achievement)
        ),
        _principle_result("initiative_once", principles.initiative_once, _initiative_once(ctx)),
    ]
    applicable = [c for c in view.criteria if c.applies(regime, mode, recipient_kind)]
    results += [_criterion_result(c, _evaluate(c, ctx)) for c in applicable] or [
        _no_criteria(ctx, view, stack, regime)
    ]
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


def _no_criteria(
    ctx: _Context, view: _AwardView, stack: Sequence[RuleSet], regime: str
) -> CriterionResult:
    where = ", ".join(layer.code for layer in stack)
    return CriterionResult(
        "rules.none",
        f"Tiêu chuẩn của {ctx.label(ctx.award_code)} cần cán bộ thẩm định",
        "unknown",
        [view.note or f"Bộ quy tắc {where} không có tiêu chí tự động cho trường hợp này"],
        f"Bộ quy tắc: {where}",
        True,
        f"không có tiêu chí kiểm tra tự động "
        f"({MODE_VI[ctx.mode]}, {LABELS_VI[ctx.recipient_kind]}, {regime})",
    )
