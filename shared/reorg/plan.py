"""A reorganization plan as data: what a resolution does to the hierarchy, operation by operation.

A plan names the day it takes effect and a list of operations (merge, split, abolish a tier,
rename, move, dissolve). It is read from YAML or JSON (``loading.py``) and checked against a
registry snapshot before anything is applied (``checks.py``); ``apply.py`` turns it into closed
and opened agency versions. Codes follow QĐ 19/2025/QĐ-TTg: a merged unit keeps the code of the unit hosting its
headquarters, or takes a brand-new code; retired codes are never reused; renaming keeps the code.
"""

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared.contracts.tiers import Tier
from shared.rules.days import Day


class PlanError(ValueError):
    """A plan that cannot be applied; ``problems`` holds one message per broken rule."""

    def __init__(self, plan: str, problems: list[str]) -> None:
        self.plan = plan
        self.problems = problems
        lines = [f"plan {plan}: {p}" for p in problems]
        super().__init__("\n".join(lines))


class _Operation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    legal_basis: list[str] = Field(default_factory=list)  # empty: the plan's own legal basis


class Merge(_Operation):
    """Several units become one (a single source re-establishes a unit under the new tree)."""

    op: Literal["merge"] = "merge"
    into: str  # the host source's code (QĐ 19/2025) or a code never used before
    name: str
    kind: str  # e.g. "province", "commune", "ward", "special_zone", "school"
    tier: Tier
    parent: str | None
    sources: list[str] = Field(min_length=1)
    seat: str | None = None  # where the merged unit's headquarters sits, as published


class Split(_Operation):
    """A unit divided between several units; units inside it follow a hint or stay ambiguous."""

    op: Literal["split"] = "split"
    source: str
    successors: list[str] = Field(min_length=1)  # default first, unless ``default`` says otherwise
    default: str | None = None
    # grassroots unit code -> the successor that hosts that unit's office (geographic hint)
    hints: dict[str, str] = Field(default_factory=dict)

    @property
    def ordered(self) -> tuple[str, ...]:
        """The successors with the default first."""
        first = self.default or self.successors[0]
        return (first, *(s for s in self.successors if s != first))


class AbolishTier(_Operation):
    """Every agency of a tier closes; its powers go to another tier (NĐ 129/2025 Điều 59)."""

    op: Literal["abolish_tier"] = "abolish_tier"
    tier: Literal["district"]
    powers_to: Literal["commune"]


class Rename(_Operation):
    op: Literal["rename"] = "rename"
    code: str  # unchanged: renaming keeps the code
    name: str


class Move(_Operation):
    op: Literal["move"] = "move"
    code: str
    parent: str


class Dissolve(_Operation):
    """A collective that ends; its members' nominations go to ``successor``."""

    op: Literal["dissolve"] = "dissolve"
    code: str
    successor: str | None = None


Operation = Annotated[Merge | Split | AbolishTier | Rename | Move | Dissolve, Field(discriminator="op")]


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str  # e.g. "VN-2025-07-01"
    title: str
    effective: Day
    legal_basis: list[str] = Field(default_factory=list)
    operations: list[Operation]

    def basis_for(self, operation: _Operation) -> str | None:
        """The legal basis recorded on versions an operation closes or opens."""
        return "; ".join(operation.legal_basis or self.legal_basis) or None


def describe(index: int, operation: _Operation) -> str:
    """How messages and reports name an operation: ``operation #3 (merge into P91)``."""
    match operation:
        case Merge():
            what = f"merge into {operation.into}"
        case Split():
            what = f"split {operation.source}"
        case AbolishTier():
            what = f"abolish_tier {operation.tier}"
        case Rename() | Move() | Dissolve():
            what = f"{operation.op} {operation.code}"
        case _:
            what = type(operation).__name__
    return f"operation #{index} ({what})"


def parse_plan(data: dict[str, Any]) -> Plan:
    """Build a plan from loaded YAML/JSON; shape errors become a ``PlanError`` naming the field."""
    try:
        return Plan.model_validate(data)
    except ValidationError as error:
        name = str(data.get("code", "?")) if isinstance(data, dict) else "?"
        problems = []
        for e in error.errors():
            loc = list(e["loc"])
            where = "plan"
            if len(loc) >= 2 and loc[0] == "operations" and isinstance(loc[1], int):
                op = data["operations"][loc[1]] if isinstance(data.get("operations"), list) else {}
                kind = op.get("op", "?") if isinstance(op, dict) else "?"
                where = f"operation #{loc[1]} ({kind})"
                loc = [part for part in loc[2:] if part != kind]
            field = ".".join(str(part) for part in loc) or "-"
            problems.append(f"{where} field '{field}': {e['msg']}")
        raise PlanError(name, problems) from None
