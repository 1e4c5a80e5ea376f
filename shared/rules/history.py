"""A nominee's history as facts: plain, JSON-able dicts with a ``kind``, validated on the way in.

Services store these facts and ship them over Kafka as dicts; the eligibility checker reads them
through `NomineeHistory`. The history belongs to a person or an organisation, never to an agency
code: an award conferred by an agency that no longer exists (a pre-2025 district such as "D903")
still counts (domain.md §9.4 cases 2 and 4).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from shared.rules.catalog_entries import AwardMode

Rating = Literal["xuat_sac", "tot", "hoan_thanh", "khong_hoan_thanh"]
RATING_RANK: dict[str, int] = {"khong_hoan_thanh": 0, "hoan_thanh": 1, "tot": 2, "xuat_sac": 3}
RATING_LABELS: dict[str, str] = {
    "xuat_sac": "hoàn thành xuất sắc nhiệm vụ",
    "tot": "hoàn thành tốt nhiệm vụ",
    "hoan_thanh": "hoàn thành nhiệm vụ",
    "khong_hoan_thanh": "không hoàn thành nhiệm vụ",
}
Scope = Literal["co_so", "bo_tinh", "toan_quoc"]
SCOPE_RANK: dict[str, int] = {"co_so": 0, "bo_tinh": 1, "toan_quoc": 2}
# Display names for evidence lines (docs/glossary.md).
LABELS_VI: dict[str, str] = {
    "co_so": "cơ sở",
    "bo_tinh": "bộ, tỉnh",
    "toan_quoc": "toàn quốc",
    "sang_kien": "sáng kiến",
    "de_tai": "đề tài",
    "teaching": "giảng dạy",
    "managing": "quản lý",
    "other": "khác",
    "individual": "cá nhân",
    "collective": "tập thể",
    "household": "hộ gia đình",
}


def at_least(rating: str, minimum: str) -> bool:
    return RATING_RANK[rating] >= RATING_RANK[minimum]


class _Fact(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RatingFact(_Fact):
    """The yearly task-completion rating of a person or collective (domain.md §3.2, last note)."""

    kind: Literal["rating"] = "rating"
    year: int = Field(ge=1945, le=2100)
    rating: Rating
    agency_code: str = Field(min_length=1, description="The agency that rated, possibly a retired code")
    note: str | None = None


class AwardFact(_Fact):
    """A title or form already conferred. `year` is the achievement year (or period end)."""

    kind: Literal["award"] = "award"
    award_code: str = Field(min_length=1)
    year: int = Field(ge=1945, le=2100)
    decided_on: date
    mode: AwardMode
    conferred_by: str = Field(min_length=1, description="Agency code, possibly retired (e.g. D903)")
    decision_no: str | None = None
    achievement: str | None = Field(default=None, description="Reference of the achievement it rewarded")
    initiative_ids: list[str] = Field(default_factory=list, description="Initiatives it consumed")


AwardChange = Literal["revoked", "stripped", "restored"]
# Standing of a conferred award → a later decision → the standing after it (Law Art. 93). A revoked
# (hủy bỏ) decision is void for good; only a stripped (tước) state honorary title can be restored.
AWARD_CHANGES: dict[str, dict[str, str]] = {
    "conferred": {"revoked": "revoked", "stripped": "stripped"},
    "stripped": {"revoked": "revoked", "restored": "conferred"},
    "revoked": {},
}


class AwardChangeFact(_Fact):
    """A later decision on a conferred award: revoked, stripped or restored (Law Art. 93).

    It names the award by its code and conferral decision number; the award fact itself is never
    edited (facts are keyed by their content), so a restored title simply counts again.
    """

    kind: Literal["award_change"] = "award_change"
    award_code: str = Field(min_length=1)
    decision_no: str = Field(min_length=1, description="The conferral decision it changes")
    change: AwardChange
    change_decision_no: str = Field(min_length=1)
    decided_on: date
    changed_by: str = Field(min_length=1, description="Agency that took the decision")
    ground: Literal["a", "b", "c", "d"] | None = Field(default=None, description="Law Art. 93 ground of a revocation")


class InitiativeFact(_Fact):
    """An initiative (sáng kiến) or accepted research (đề tài) and the scope it was recognised at.

    `type` rather than `kind`, because `kind` is the fact discriminator.
    """

    kind: Literal["initiative"] = "initiative"
    id: str = Field(min_length=1)
    title: str = Field(min_length=1)
    scope: Scope
    recognised_on: date
    recognised_by: str = Field(min_length=1)
    type: Literal["sang_kien", "de_tai"] = "sang_kien"


class _Period(_Fact):
    start: date
    end: date | None = None

    @model_validator(mode="after")
    def _ordered(self) -> _Period:
        if self.end is not None and self.end < self.start:
            raise ValueError("end is before start")
        return self

    def active_on(self, on: date) -> bool:
        return self.start <= on and (self.end is None or on <= self.end)


class DisciplineFact(_Period):
    """A disciplinary measure (khiển trách, cảnh cáo, …) and the period it runs."""

    kind: Literal["discipline"] = "discipline"
    level: str = Field(min_length=1)
    severity: int | None = Field(default=None, ge=0)
    end: date


class HoldFact(_Period):
    """A reason to hold every award and proposal (Decree 152 Art. 4); `end` None while open."""

    kind: Literal["hold"] = "hold"
    reason: Literal["investigation", "complaint", "inspection", "press", "discipline_review"]


class LeaveFact(_Fact):
    """A year of maternity leave, which counts as working time. `type` rather than `kind`."""

    kind: Literal["leave"] = "leave"
    year: int = Field(ge=1945, le=2100)
    type: Literal["maternity"] = "maternity"


class ServiceFact(_Fact):
    """Years of service, both ends included; `end_year` None while it goes on."""

    kind: Literal["service"] = "service"
    start_year: int = Field(ge=1945, le=2100)
    end_year: int | None = Field(default=None, ge=1945, le=2100)
    role: Literal["teaching", "managing", "other"]
    hardship: bool = False

    @model_validator(mode="after")
    def _ordered(self) -> ServiceFact:
        if self.end_year is not None and self.end_year < self.start_year:
            raise ValueError("end_year is before start_year")
        return self

    def years(self, up_to: int) -> range:
        return range(self.start_year, min(self.end_year or up_to, up_to) + 1)


class CollectiveYearFact(_Fact):
    """A collective's year: its size, how many members were LĐTT, disciplined, and its rating."""

    kind: Literal["collective_year"] = "collective_year"
    year: int = Field(ge=1945, le=2100)
    members: int = Field(gt=0)
    lddt_members: int = Field(ge=0)
    disciplined_warning_or_above: int = Field(ge=0)
    rating: Rating
    completed_members: int | None = Field(default=None, ge=0, description="Members who completed their tasks")
    cstdcs_members: int | None = Field(default=None, ge=0, description="Members who were CSTĐCS that year")

    @model_validator(mode="after")
    def _within_members(self) -> CollectiveYearFact:
        for name in (
            "lddt_members",
            "disciplined_warning_or_above",
            "completed_members",
            "cstdcs_members",
        ):
            value = getattr(self, name)
            if value is not None and value > self.members:
                raise ValueError(f"{name} ({value}) exceeds members ({self.members})")
        return self


class ClusterRankFact(_Fact):
    """Where a collective ranked in its cluster or bloc (cụm, khối thi đua) in a year, as its
    organiser recorded it: first place is the cluster's lead for that year."""

    kind: Literal["cluster_rank"] = "cluster_rank"
    year: int = Field(ge=1945, le=2100)
    cluster_code: str = Field(min_length=1)
    cluster_name: str = Field(min_length=1)
    rank: int = Field(ge=1)
    members: int = Field(ge=1, description="How many members were ranked")
    organiser_agency: str = Field(min_length=1)

    @model_validator(mode="after")
    def _within_members(self) -> ClusterRankFact:
        if self.rank > self.members:
            raise ValueError(f"rank {self.rank} is beyond the {self.members} members ranked")
        return self


AnyFact = (
    RatingFact
    | AwardFact
    | AwardChangeFact
    | InitiativeFact
    | DisciplineFact
    | HoldFact
    | LeaveFact
    | ServiceFact
    | CollectiveYearFact
    | ClusterRankFact
)
Fact = Annotated[AnyFact, Field(discriminator="kind")]
_FACT: TypeAdapter[AnyFact] = TypeAdapter(Fact)


def parse_fact(raw: Any, index: int) -> AnyFact:
    """Validate one fact dict; the error names its list index, its kind and the field."""
    if not isinstance(raw, Mapping):
        raise ValueError(f"fact #{index}: must be a mapping with a 'kind', got {type(raw).__name__}")
    try:
        return _FACT.validate_python(raw)
    except ValidationError as err:
        first = err.errors()[0]
        loc = [str(p) for p in first["loc"]]
        # No location: the discriminator failed. Only the kind: a check across fields failed.
        field = "kind" if not loc else ".".join(loc[1:])
        where = f", field '{field}'" if field else ""
        raise ValueError(f"fact #{index} (kind {raw.get('kind')!r}){where}: {first['msg']}") from None


F = TypeVar("F", bound=_Fact)


@dataclass(frozen=True)
class NomineeHistory:
    """Everything known about one nominee, in the order the facts were given."""

    items: tuple[AnyFact, ...] = ()
    nominee_id: str | None = None

    @classmethod
    def from_facts(cls, facts: Iterable[Any], nominee_id: str | None = None) -> NomineeHistory:
        return cls(tuple(parse_fact(raw, i) for i, raw in enumerate(facts)), nominee_id)

    def facts(self) -> list[dict[str, Any]]:
        return [item.model_dump(mode="json") for item in self.items]

    def _of(self, kind: type[F]) -> list[F]:
        return [item for item in self.items if isinstance(item, kind)]

    @property
    def all_awards(self) -> list[AwardFact]:
        """Every award on record, including revoked and stripped ones."""
        return self._of(AwardFact)

    @property
    def awards(self) -> list[AwardFact]:
        """Awards in force: a revoked or stripped award no longer counts for anything."""
        return [a for a in self.all_awards if self.standing(a) == "conferred"]

    def standing(self, award: AwardFact) -> str:
        """conferred, revoked or stripped: the award's changes applied in decision-date order."""
        state = "conferred"
        if award.decision_no is None:
            return state  # a hand-recorded award without a number cannot be named by a change
        changes = [
            c
            for c in self._of(AwardChangeFact)
            if c.award_code == award.award_code and c.decision_no == award.decision_no
        ]
        for change in sorted(changes, key=lambda c: c.decided_on):
            state = AWARD_CHANGES[state].get(change.change, state)
        return state

    @property
    def initiatives(self) -> dict[str, InitiativeFact]:
        return {i.id: i for i in self._of(InitiativeFact)}

    @property
    def disciplines(self) -> list[DisciplineFact]:
        return self._of(DisciplineFact)

    @property
    def holds(self) -> list[HoldFact]:
        return self._of(HoldFact)

    @property
    def services(self) -> list[ServiceFact]:
        return self._of(ServiceFact)

    def rating(self, year: int) -> RatingFact | None:
        """The year's rating; of several (a mid-year transfer), the lowest, to be safe."""
        found = [r for r in self._of(RatingFact) if r.year == year]
        return min(found, key=lambda r: RATING_RANK[r.rating]) if found else None

    def on_maternity_leave(self, year: int) -> bool:
        return any(leave.year == year for leave in self._of(LeaveFact))

    def cluster_ranks(self, year: int) -> list[ClusterRankFact]:
        return [r for r in self._of(ClusterRankFact) if r.year == year]

    def collective_year(self, year: int) -> CollectiveYearFact | None:
        return next((c for c in self._of(CollectiveYearFact) if c.year == year), None)

    def used_initiatives(self) -> dict[str, AwardFact]:
        """Initiative id → the award that already consumed it."""
        return {iid: award for award in self.awards for iid in award.initiative_ids}

    def counting_floor(self, year: int) -> int | None:
        """The last year that does not count because of discipline (counting restarts after it)."""
        ends = [min(d.end.year, year) for d in self.disciplines if d.start.year <= year]
        return max(ends, default=None)
