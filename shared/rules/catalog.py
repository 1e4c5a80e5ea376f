"""The law as data: legal regimes, conferring authorities and the award catalog.

Everything here is loaded from reviewable YAML files under ``shared/rules/data/``: each entry is
validated by the models in ``catalog_entries.py``, then `load_catalog` cross-checks the files
(known regimes and authorities, unique codes, lower forms that exist) and `Catalog` answers
questions about the result. A malformed or contradictory file fails to load with a
``CatalogError`` naming the file, the entry and the field. Nothing here encodes a rule in Python:
the files do, each field with its legal citation (docs/rules.md).
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from shared.rules.catalog_entries import (
    CITED_FIELDS,
    Authority,
    AwardEntry,
    AwardMode,
    Ballot,
    Bonus,
    Category,
    DocumentKind,
    PublicPosting,
    RecipientKind,
    Regime,
    RegimePolicy,
)
from shared.rules.datafiles import DATA_DIR, CatalogError, Citation, entry_name, parse_model, read_yaml

# The catalog's vocabulary, importable from here as before the models moved to catalog_entries.
__all__ = [
    "CITED_FIELDS",
    "DATA_DIR",
    "Authority",
    "AwardEntry",
    "AwardMode",
    "Ballot",
    "Bonus",
    "Catalog",
    "CatalogError",
    "Category",
    "Citation",
    "DocumentKind",
    "PublicPosting",
    "RecipientKind",
    "Regime",
    "RegimePolicy",
    "default_catalog",
    "load_catalog",
]


class Catalog(BaseModel):
    """Everything loaded and cross-checked: regimes, authorities, awards by code."""

    model_config = ConfigDict(frozen=True)

    regimes: list[Regime]
    policy: RegimePolicy
    authorities: dict[str, Authority]
    awards: dict[str, AwardEntry]
    sources: dict[str, str] = Field(default_factory=dict, description="Award code → file it came from")

    def award(self, code: str) -> AwardEntry:
        try:
            return self.awards[code]
        except KeyError:
            raise KeyError(f"unknown award code '{code}'") from None

    def regime_on(self, on: date) -> Regime:
        for regime in self.regimes:
            if regime.covers(on):
                return regime
        raise LookupError(f"no legal regime covers {on.isoformat()}")

    def judging_regime(self, submitted_on: date) -> Regime:
        """The regime a dossier submitted on `submitted_on` is judged under (policy in regimes.yaml).

        With basis `decision_date` the answer is provisional until the decision: the regime in
        force on the submission date is recorded, and the deciding level judges again.
        """
        return self.regime_on(submitted_on)

    def regime(self, code: str) -> Regime:
        for regime in self.regimes:
            if regime.code == code:
                return regime
        raise LookupError(f"unknown regime '{code}'")

    def authority_of_agency(self, agency_code: str, agency_kind: str) -> Authority | None:
        """The authority the head of this agency holds, if any: specific codes win over kinds."""
        for authority in self.authorities.values():
            if agency_code in authority.agency_codes:
                return authority
        for authority in self.authorities.values():
            if agency_kind in authority.agency_kinds:
                return authority
        return None


def load_catalog(data_dir: Path = DATA_DIR) -> Catalog:
    """Load and cross-check every rules file under `data_dir` (regimes, authorities, catalog/*.yaml)."""
    regimes, policy = _load_regimes(data_dir / "regimes.yaml")
    authorities = _load_authorities(data_dir / "authorities.yaml")
    awards, sources = _load_awards(data_dir / "catalog", {r.code for r in regimes}, authorities)
    return Catalog(regimes=regimes, policy=policy, authorities=authorities, awards=awards, sources=sources)


def _load_regimes(path: Path) -> tuple[list[Regime], RegimePolicy]:
    """The regimes in date order (unique codes, no overlaps) and the policy that picks one."""
    base = read_yaml(path)
    if not isinstance(base, dict) or "regimes" not in base or "policy" not in base:
        raise CatalogError("regimes.yaml", None, None, "must be a mapping with 'regimes' and 'policy'")
    if not isinstance(base["regimes"], list) or not base["regimes"]:
        raise CatalogError("regimes.yaml", None, "regimes", "must be a non-empty list")
    regimes = [parse_model(Regime, r, "regimes.yaml", entry_name(r, i)) for i, r in enumerate(base["regimes"])]
    seen_regimes: set[str] = set()
    for regime in regimes:
        if regime.code in seen_regimes:
            raise CatalogError("regimes.yaml", regime.code, "code", "is defined twice")
        seen_regimes.add(regime.code)
    policy = parse_model(RegimePolicy, base["policy"], "regimes.yaml", "policy")
    ordered = sorted(regimes, key=lambda r: r.valid_from)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if before.valid_to is None or before.valid_to >= after.valid_from:
            raise CatalogError("regimes.yaml", after.code, "valid_from", f"overlaps regime {before.code}")
    return ordered, policy


def _load_authorities(path: Path) -> dict[str, Authority]:
    """Authorities by code; an agency kind belongs to one authority at most."""
    raw_authorities = read_yaml(path)
    if not isinstance(raw_authorities, dict) or not isinstance(raw_authorities.get("authorities"), list):
        raise CatalogError("authorities.yaml", None, None, "must be a mapping with a list 'authorities'")
    authorities: dict[str, Authority] = {}
    kinds_seen: dict[str, str] = {}
    for index, raw in enumerate(raw_authorities["authorities"]):
        authority = parse_model(Authority, raw, "authorities.yaml", entry_name(raw, index))
        if authority.code in authorities:
            raise CatalogError("authorities.yaml", authority.code, "code", "is defined twice")
        for kind in authority.agency_kinds:
            if kind in kinds_seen:
                raise CatalogError(
                    "authorities.yaml",
                    authority.code,
                    "agency_kinds",
                    f"agency kind '{kind}' is already held by '{kinds_seen[kind]}'",
                )
            kinds_seen[kind] = authority.code
        authorities[authority.code] = authority
    return authorities


def _load_awards(
    directory: Path, regime_codes: set[str], authorities: dict[str, Authority]
) -> tuple[dict[str, AwardEntry], dict[str, str]]:
    """Awards by code from every catalog file, and the file each came from."""
    awards: dict[str, AwardEntry] = {}
    sources: dict[str, str] = {}
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise CatalogError("catalog/", None, None, "no catalog files (*.yaml) found")
    for path in files:
        name = f"catalog/{path.name}"
        content = read_yaml(path, name)
        if not isinstance(content, dict) or not isinstance(content.get("awards"), list):
            raise CatalogError(name, None, None, "must be a mapping with a list 'awards'")
        extra = sorted(str(k) for k in content if k != "awards")
        if extra:
            raise CatalogError(name, None, extra[0], f"unknown top-level key(s) {extra}; only 'awards' is allowed")
        for index, raw in enumerate(content["awards"]):
            entry = parse_model(AwardEntry, raw, name, entry_name(raw, index))
            if entry.code in awards:
                raise CatalogError(name, entry.code, "code", f"is already defined in {sources[entry.code]}")
            _check_references(entry, name, regime_codes, authorities)
            awards[entry.code] = entry
            sources[entry.code] = name
    for code, entry in awards.items():
        for lower in entry.lower_forms:
            if lower not in awards:
                raise CatalogError(sources[code], code, "lower_forms", f"unknown award '{lower}'")
    return awards, sources


def _check_references(entry: AwardEntry, name: str, regime_codes: set[str], authorities: dict[str, Authority]) -> None:
    """Every regime is spoken for, and every regime and authority the entry names exists."""
    for regime, codes in entry.conferred_by.items():
        if regime not in regime_codes:
            raise CatalogError(
                name, entry.code, f"conferred_by.{regime}", f"unknown regime; known: {sorted(regime_codes)}"
            )
        for authority in codes:
            if authority not in authorities:
                raise CatalogError(
                    name,
                    entry.code,
                    f"conferred_by.{regime}",
                    f"unknown authority '{authority}'; known: {sorted(authorities)}",
                )
    for regime in sorted(regime_codes - set(entry.conferred_by)):
        raise CatalogError(
            name,
            entry.code,
            f"conferred_by.{regime}",
            f"says nothing for regime {regime}; give [] if the award does not exist then",
        )
    for authority in entry.proposed_by:
        if authority not in authorities:
            raise CatalogError(name, entry.code, "proposed_by", f"unknown authority '{authority}'")


@cache
def default_catalog() -> Catalog:
    """The catalog shipped with tdkt, loaded once per process."""
    return load_catalog()
