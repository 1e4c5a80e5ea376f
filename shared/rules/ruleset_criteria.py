"""The criteria of a rule set as data: one ``*Params`` model per rule, and `Criterion` around it.

A criterion names its `rule:`; the rule's parameters are validated by the model of that name
(the `Params` union is told apart by `rule`). ``any_of`` and ``all_of`` nest criteria. The
functions that evaluate each rule are in ``criteria.py``; the files that hold criteria are loaded
by ``rulesets.py``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from pydantic import Field, model_validator

from shared.rules.catalog_entries import AwardMode, RecipientKind
from shared.rules.datafiles import Citation, StrictModel
from shared.rules.history import Rating, Scope

InitiativeType = Literal["sang_kien", "de_tai"]


def _cong_trang() -> list[AwardMode]:
    return ["cong_trang"]


def _both_types() -> list[InitiativeType]:
    return ["sang_kien", "de_tai"]


class RatingAtLeastParams(StrictModel):
    """The nomination year's rating is at least `min`."""

    rule: Literal["rating_at_least"]
    min: Rating


class AnyOfParams(StrictModel):
    rule: Literal["any_of"]
    criteria: list[Criterion] = Field(min_length=1)


class AllOfParams(StrictModel):
    rule: Literal["all_of"]
    criteria: list[Criterion] = Field(min_length=1)


class ConsecutiveTitlesParams(StrictModel):
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


class ConsecutiveRatingsParams(StrictModel):
    """`count` consecutive years rated at least `min`, ending at the nomination year."""

    rule: Literal["consecutive_ratings"]
    min: Rating
    count: int = Field(ge=1)


class InitiativeScopeParams(StrictModel):
    """`count` unused initiatives recognised at `scope` or wider, within the last `within_years`
    years up to the nomination year (None: any time)."""

    rule: Literal["initiative_scope"]
    scope: Scope
    count: int = Field(default=1, ge=1)
    types: list[InitiativeType] = Field(default_factory=_both_types)
    within_years: int | None = Field(ge=1)


class PriorAwardThenYearsParams(StrictModel):
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


class HoldsTitleParams(StrictModel):
    rule: Literal["holds_title"]
    award_codes: list[str] = Field(min_length=1)
    count_modes: list[AwardMode] = Field(default_factory=_cong_trang)


class ServiceYearsParams(StrictModel):
    """≥`min_years` of service in `roles` up to the nomination year; hardship years × multiplier."""

    rule: Literal["service_years"]
    min_years: float = Field(gt=0)
    roles: list[Literal["teaching", "managing", "other"]] = Field(min_length=1)
    hardship_multiplier: float = Field(default=1, ge=1)


class ClusterRankParams(StrictModel):
    """In the nomination year the collective ranked `max` or better in a cluster or bloc."""

    rule: Literal["cluster_rank_at_most"]
    max: int = Field(ge=1)


class CollectiveShareParams(StrictModel):
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
    | CollectiveShareParams
    | ClusterRankParams,
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
    "cluster_rank_at_most",
]
RULE_NAMES = set(get_args(RuleName))


class Criterion(StrictModel):
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
