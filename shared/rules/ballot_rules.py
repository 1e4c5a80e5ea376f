"""Which secret ballot an award needs at a given council: threshold, quorum, rounds, and what
happens after the last round (domain.md §3.4, §4.7, §9.3), loaded from ``data/ballots.yaml``.

The threshold comes from the award catalog (`ballot.threshold`, a share of the council's total
membership); the file sets the rest and overrides any of it per council level, sector or agency.
Shares are exact fractions: 0.9 in YAML or the catalog is read as 9/10, never as a binary float.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from shared.rules.catalog import Catalog, default_catalog
from shared.rules.datafiles import DATA_DIR, CatalogError, Citation, FieldError, entry_name, parse_model, read_yaml

BALLOTS_FILE = DATA_DIR / "ballots.yaml"
Level = Literal["unit", "district", "province", "central"]  # the tier of the council's agency
AfterLastRound = Literal["chair_decides", "fail"]


@dataclass(frozen=True)
class BallotRule:
    """What one award's ballot needs, as `rule_for` resolves it; shares are of total members."""

    award: str
    threshold: Fraction
    quorum: Fraction = Fraction(2, 3)
    max_rounds: int = 2
    after_last_round: AfterLastRound = "chair_decides"
    basis: tuple[str, ...] = ()  # the citations applied, most general first

    def __post_init__(self) -> None:
        for name in ("threshold", "quorum"):
            if not 0 < getattr(self, name) <= 1:
                raise ValueError(f"{self.award}: {name} must be a share above 0 and at most 1")
        if self.max_rounds not in (1, 2):
            raise ValueError(f"{self.award}: max_rounds is 1 or 2")


def _share(value: Any) -> Fraction:
    """A share written "2/3", "4/5", 0.9 or 1, read exactly (never through a binary float)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str | Fraction):
        raise ValueError(f"a share is written '2/3', '4/5' or 0.9; got {value!r}")
    try:
        share = Fraction(str(value).strip())
    except (ValueError, ZeroDivisionError):
        raise ValueError(f"'{value}' is not a share; write '2/3', '4/5' or 0.9") from None
    if not 0 < share <= 1:
        raise ValueError(f"a share is above 0 and at most 1; got {value}")
    return share


Share = Annotated[Fraction, BeforeValidator(_share)]


class _Config(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Defaults(_Config):
    quorum: Share
    max_rounds: Literal[1, 2]
    after_last_round: AfterLastRound
    citation: Citation


class Override(_Config):
    """Settings for the councils the selectors match (an empty selector matches any)."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_.-]*$")
    levels: list[Level] = Field(default_factory=list)
    sectors: list[str] = Field(default_factory=list)
    agencies: list[str] = Field(default_factory=list)
    quorum: Share | None = None
    max_rounds: Literal[1, 2] | None = None
    after_last_round: AfterLastRound | None = None
    thresholds: dict[str, Share] = Field(default_factory=dict)
    citation: Citation

    @model_validator(mode="after")
    def _sets_something(self) -> Override:
        settings = (self.quorum, self.max_rounds, self.after_last_round)
        if not self.thresholds and all(value is None for value in settings):
            raise FieldError("quorum", "an override sets quorum, max_rounds, after_last_round or thresholds")
        return self

    def applies(self, level: str, sector: str | None, agency: str | None) -> bool:
        return (
            (not self.levels or level in self.levels)
            and (not self.sectors or sector in self.sectors)
            and (not self.agencies or agency in self.agencies)
        )


@dataclass(frozen=True)
class BallotRules:
    """A loaded ballots file, cross-checked against the award catalog."""

    defaults: Defaults
    overrides: tuple[Override, ...]
    catalog: Catalog

    def rule_for(
        self, award_code: str, level: str, sector: str | None = None, *, agency: str | None = None
    ) -> BallotRule | None:
        """The ballot an award needs at a council of `level` (and sector, agency); None if none."""
        if level not in get_args(Level):
            raise ValueError(f"unknown council level '{level}'; known: {list(get_args(Level))}")
        award = self.catalog.award(award_code)
        threshold = _share(award.ballot.threshold) if award.ballot.required and award.ballot.threshold else None
        basis = [award.citations["ballot"].text()] if threshold is not None else []
        settings: dict[str, Any] = {
            "quorum": self.defaults.quorum,
            "max_rounds": self.defaults.max_rounds,
            "after_last_round": self.defaults.after_last_round,
        }
        basis.append(self.defaults.citation.text())
        for override in self.overrides:
            if not override.applies(level, sector, agency):
                continue
            for key in settings:
                if (value := getattr(override, key)) is not None:
                    settings[key] = value
            threshold = override.thresholds.get(award_code, threshold)
            basis.append(override.citation.text())
        if threshold is None:
            return None
        return BallotRule(award=award_code, threshold=threshold, basis=tuple(basis), **settings)


def load_ballot_rules(path: Path = BALLOTS_FILE, catalog: Catalog | None = None) -> BallotRules:
    """Load and cross-check a ballots file; errors are `CatalogError`s naming file, entry, field."""
    catalog = catalog or default_catalog()
    name = path.name
    raw = read_yaml(path, name)
    if not isinstance(raw, dict) or not isinstance(raw.get("defaults"), dict):
        raise CatalogError(name, None, "defaults", "the file must be a mapping with a 'defaults' mapping")
    extra = sorted(str(key) for key in raw if key not in ("defaults", "overrides"))
    if extra:
        raise CatalogError(
            name,
            None,
            extra[0],
            f"unknown top-level key(s) {extra}; only 'defaults' and 'overrides' are allowed",
        )
    entries = raw.get("overrides") or []
    if not isinstance(entries, list):
        raise CatalogError(name, None, "overrides", "must be a list")
    defaults = parse_model(Defaults, raw["defaults"], name, "defaults")
    overrides: list[Override] = []
    for index, entry in enumerate(entries):
        override = parse_model(Override, entry, name, entry_name(entry, index))
        if any(o.code == override.code for o in overrides):
            raise CatalogError(name, override.code, "code", "is defined twice")
        for code in override.thresholds:
            if code not in catalog.awards:
                raise CatalogError(name, override.code, f"thresholds.{code}", "unknown award code")
        overrides.append(override)
    return BallotRules(defaults, tuple(overrides), catalog)


@cache
def default_ballot_rules() -> BallotRules:
    return load_ballot_rules()


def rule_for(award_code: str, level: str, sector: str | None = None, *, agency: str | None = None) -> BallotRule | None:
    return default_ballot_rules().rule_for(award_code, level, sector, agency=agency)


def threshold_for(
    award_code: str, level: str, sector: str | None = None, *, agency: str | None = None
) -> Fraction | None:
    """The share of total members who must vote yes; None if the award needs no secret ballot."""
    rule = rule_for(award_code, level, sector, agency=agency)
    return rule.threshold if rule else None
