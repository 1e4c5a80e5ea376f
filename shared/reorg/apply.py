"""Apply a reorganization plan to a registry snapshot: which versions close, which open, who moves.

Pure: takes version dicts (keys as ``services.kit.registry.models.Agency``, plus an optional ``location_code``,
the commune a grassroots unit's office is in) and returns an ``Application``; nothing is written.
The plan is checked first (``checks.py``) and nothing is returned if any rule is broken.

Every unit the plan touches gets one new version from the effective date and its eve version
closes the day before, once, however many operations touch it. Applying a plan to a snapshot that
already holds its result closes and opens nothing.

Units whose parent the plan retires follow it (``UnitMove.rule``):
- ``parent_merged`` / ``parent_dissolved``: to the successor;
- under an abolished tier, a grassroots unit goes to the commune its office is in
  (``location``: the location's successor; ``hint`` for a divided commune, via the split's hints);
  an administrative unit goes to its grandparent (``grandparent``, e.g. a commune to its province);
- under a divided unit: ``hint``, or the published default for administrative units
  (``split_default``);
- otherwise the unit is ``ambiguous`` and, as domain.md §9.4 asks, escalated to the province it
  was in (``escalated_to_province``) until someone decides; it is listed with its candidates.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shared.reorg.checks import check_plan
from shared.reorg.plan import (
    AbolishTier,
    Dissolve,
    Merge,
    Move,
    Plan,
    PlanError,
    Rename,
    Split,
    describe,
)
from shared.reorg.snapshot import COMMUNE_KINDS, Snapshot, Version, index_snapshot, is_grassroots

_STRUCTURE = ("name", "tier", "kind", "parent_code")  # what makes two versions the same


@dataclass(frozen=True)
class Closure:
    """An eve version that ends the day before the plan takes effect."""

    code: str
    valid_from: date  # identifies the version closed
    valid_to: date  # effective - 1 day
    successors: tuple[str, ...]  # default first
    operation: int | None  # the operation that closed it (None: a follow-on move)
    legal_basis: str | None


@dataclass(frozen=True)
class UnitMove:
    code: str
    old_parent: str | None
    new_parent: str
    rule: str  # move | location | hint | parent_merged | parent_dissolved | grandparent | …
    operation: int


@dataclass(frozen=True)
class Ambiguity:
    code: str
    candidates: tuple[str, ...]
    reason: str
    interim_parent: str | None  # the province the unit waits under, if one was found
    operation: int


@dataclass(frozen=True)
class OperationReport:
    index: int
    operation: str  # e.g. "operation #0 (merge into P01)"
    closed: tuple[str, ...]  # eve versions the operation ends
    opened: tuple[str, ...]  # codes it gives a new version
    moved: tuple[str, ...]  # units that changed parent because of it


@dataclass(frozen=True)
class Application:
    """What a plan does to a snapshot. ``closed`` and ``opened`` are what is left to write;
    ``successors``, ``moved_units``, ``ambiguous`` and ``report`` describe the plan's effect."""

    plan: str
    effective: date
    closed: tuple[Closure, ...]
    opened: tuple[Version, ...]
    successors: dict[str, tuple[str, ...]]
    moved_units: dict[str, UnitMove]
    ambiguous: dict[str, Ambiguity]
    report: tuple[OperationReport, ...]

    @property
    def is_noop(self) -> bool:
        return not self.closed and not self.opened

    def updated(self, snapshot: Iterable[Version]) -> list[Version]:
        """The snapshot with this application written: closed versions ended, new ones added."""
        ends = {(c.code, c.valid_from): c for c in self.closed}
        out = []
        for v in snapshot:
            c = ends.get((v["code"], v["valid_from"]))
            out.append(v if c is None else {**v, "valid_to": c.valid_to, "successors": list(c.successors)})
        return out + [dict(v) for v in self.opened]


def apply_plan(snapshot: Iterable[Version], plan: Plan) -> Application:
    snapshot = list(snapshot)
    snap = index_snapshot(snapshot, plan.effective)
    check_plan(plan, snap)
    return _Run(plan, snap).application()


@dataclass
class _Run:
    plan: Plan
    snap: Snapshot
    after: dict[str, Version] = field(init=False)  # code -> fields of the unit after the plan
    closed_by: dict[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)
    fresh: dict[str, int] = field(default_factory=dict)  # code -> merge that gives it a version
    changed: dict[str, int] = field(default_factory=dict)  # code -> op that changed it otherwise
    abolished: dict[str, int] = field(default_factory=dict)
    splits: dict[str, Split] = field(default_factory=dict)
    moves: dict[str, UnitMove] = field(default_factory=dict)
    ambiguous: dict[str, Ambiguity] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.after = dict(self.snap.before)  # values are replaced, never mutated
        self.splits = {op.source: op for op in self.plan.operations if isinstance(op, Split)}

    def application(self) -> Application:
        for i, op in enumerate(self.plan.operations):
            self.run(i, op)
        self.abolished_successors()
        self.follow_retired_parents()
        closures, opened = self.diff()
        return Application(
            plan=self.plan.code,
            effective=self.plan.effective,
            closed=tuple(self.unwritten_closures(closures)),
            opened=tuple(self.unwritten_openings(opened)),
            successors={c.code: c.successors for c in closures},
            moved_units=dict(self.moves),
            ambiguous=dict(self.ambiguous),
            report=self.reports(closures, opened),
        )

    # -- operations ---------------------------------------------------------------------------

    def run(self, i: int, op: Any) -> None:
        match op:
            case Merge():
                for s in dict.fromkeys(op.sources):
                    if s not in self.splits:  # a divided source is closed by its split
                        self.closed_by.setdefault(s, (i, (op.into,)))
                    if s not in self.fresh:
                        self.after.pop(s, None)
                host = self.snap.before.get(op.into, {})
                self.after[op.into] = {
                    "code": op.into,
                    "name": op.name,
                    "tier": op.tier.value,
                    "kind": op.kind,
                    "parent_code": op.parent,
                } | ({"location_code": host["location_code"]} if host.get("location_code") else {})
                self.fresh[op.into] = i
            case Split():
                self.closed_by[op.source] = (i, op.ordered)
                if op.source not in self.fresh:
                    self.after.pop(op.source, None)
            case AbolishTier():
                for code, v in self.snap.before.items():
                    if v["tier"] == op.tier and code in self.after and code not in self.fresh:
                        self.abolished[code] = i
                        del self.after[code]
            case Rename():
                self.after[op.code] = {**self.after[op.code], "name": op.name}
                self.changed.setdefault(op.code, i)
            case Move():
                self.move(op.code, op.parent, "move", i)
            case Dissolve():
                del self.after[op.code]
                self.closed_by[op.code] = (i, (op.successor,) if op.successor else ())

    def move(self, code: str, parent: str, rule: str, i: int, location: str | None = None) -> None:
        old = self.snap.before.get(code, {}).get("parent_code")
        extra = {"location_code": location} if location else {}
        self.after[code] = {**self.after[code], "parent_code": parent, **extra}
        self.changed.setdefault(code, i)
        if code not in self.fresh:
            self.moves[code] = UnitMove(code, old, parent, rule, i)

    def abolished_successors(self) -> None:
        """An abolished unit goes to the communes formed from its communes, sorted by code."""
        for code, i in self.abolished.items():
            communes = [c for c in self.snap.children.get(code, ()) if self.snap.before[c]["kind"] in COMMUNE_KINDS]
            found = {s for c in communes for s in self.successors_of(c)}
            self.closed_by[code] = (i, tuple(sorted(found)))

    def successors_of(self, code: str) -> tuple[str, ...]:
        if code in self.closed_by:
            return self.closed_by[code][1]
        return (code,) if code in self.after else ()

    def live(self, code: str | None) -> str | None:
        """Follow default successors from a retired code to one that stands after the plan."""
        for _ in range(8):
            if code is None or code in self.after:
                return code
            successors = self.closed_by.get(code, (0, ()))[1]
            code = successors[0] if successors else None
        return None

    # -- units left under a retired parent ----------------------------------------------------

    def follow_retired_parents(self) -> None:
        for code, v in list(self.after.items()):
            parent = v["parent_code"]
            if code in self.fresh or parent is None or parent in self.after:
                continue
            if parent in self.abolished:
                if is_grassroots(v):
                    self.to_location(code, v, parent)
                else:
                    self.to_grandparent(code, parent)
            elif parent in self.splits:
                self.to_split_part(code, v, parent, self.splits[parent], inside="under")
            else:
                i, successors = self.closed_by[parent]
                rule = "parent_dissolved" if isinstance(self.plan.operations[i], Dissolve) else "parent_merged"
                target = self.live(successors[0]) if successors else None
                if target is not None:
                    self.move(code, target, rule, i)
                else:
                    self.escalate(code, parent, (), f"its parent {parent} is dissolved without a successor", i)

    def to_grandparent(self, code: str, parent: str) -> None:
        i = self.abolished[parent]
        grandparent = self.live(self.snap.before[parent]["parent_code"])
        if grandparent is not None:
            self.move(code, grandparent, "grandparent", i)
        else:
            reason = f"its parent {parent} is abolished and has no parent to take over"
            self.ambiguous[code] = Ambiguity(code, (), reason, None, i)

    def to_location(self, code: str, v: Version, parent: str) -> None:
        i = self.abolished[parent]
        location = v.get("location_code")
        tier = self.snap.before[parent]["tier"]
        if not location:
            reason = f"no location_code, and its parent {parent} ({tier}) is abolished"
            self.escalate(code, parent, self.closed_by[parent][1], reason, i)
        elif location in self.splits:
            self.to_split_part(code, v, location, self.splits[location], inside="located in")
        elif (target := self.live(location)) is not None:
            self.move(code, target, "location", i, location=target)
        else:
            reason = f"its location {location} has no successor, and its parent {parent} is abolished"
            self.escalate(code, parent, (), reason, i)

    def to_split_part(self, code: str, v: Version, divided: str, op: Split, inside: str) -> None:
        i = self.closed_by[divided][0]
        located = v.get("location_code") == divided or inside == "located in"
        if code in op.hints:
            self.move(code, op.hints[code], "hint", i, location=op.hints[code] if located else None)
        elif not is_grassroots(v):
            self.move(code, op.ordered[0], "split_default", i)
        else:
            reason = f"{inside} {divided}, divided between {', '.join(op.ordered)}, with no hint"
            self.escalate(code, v["parent_code"], op.ordered, reason, i)

    def escalate(self, code: str, parent: str, candidates: tuple[str, ...], reason: str, i: int) -> None:
        province = self.province_of(parent)
        self.ambiguous[code] = Ambiguity(code, tuple(candidates), reason, province, i)
        if province is not None:
            self.move(code, province, "escalated_to_province", i)

    def province_of(self, code: str | None) -> str | None:
        for _ in range(8):
            v = self.snap.before.get(code or "")
            if v is None:
                return None
            if v["tier"] == "province" and v["kind"] in {"province", "city"}:
                return self.live(code)
            code = v["parent_code"]
        return None

    # -- what to write ------------------------------------------------------------------------

    def diff(self) -> tuple[list[Closure], list[Version]]:
        eve = self.snap.eve
        closures = []
        for code, v in self.snap.before.items():
            if code in self.after and code not in self.fresh and code not in self.changed:
                continue
            i, successors = self.closed_by.get(code, (self.changed.get(code), (code,)))
            basis = self.plan.basis_for(self.plan.operations[i]) if i is not None else None
            closures.append(Closure(code, v["valid_from"], eve, successors, i, basis))
        opened = []
        for code, fields in self.after.items():
            i = self.fresh.get(code, self.changed.get(code))
            if i is None:
                continue
            opened.append(
                {
                    **fields,
                    "valid_from": self.plan.effective,
                    "valid_to": None,
                    "successors": [],
                    "legal_basis": self.plan.basis_for(self.plan.operations[i]),
                }
            )
        return closures, opened

    def unwritten_closures(self, closures: list[Closure]) -> list[Closure]:
        """Closures the snapshot does not hold yet; a version is never closed twice."""
        out, conflicts = [], []
        for c in closures:
            v = self.snap.before[c.code]
            if v["valid_to"] is None:
                out.append(c)
            elif v["valid_to"] != c.valid_to:
                conflicts.append(f"{c.code}: its version from {c.valid_from} already ends on {v['valid_to']}")
            elif tuple(v.get("successors") or ()) != c.successors:
                conflicts.append(
                    f"{c.code}: already closed on {c.valid_to} with successors "
                    f"{list(v.get('successors') or ())}, the plan says {list(c.successors)}"
                )
        if conflicts:
            raise PlanError(self.plan.code, [f"snapshot conflict: {m}" for m in conflicts])
        return out

    def unwritten_openings(self, opened: list[Version]) -> list[Version]:
        out, conflicts = [], []
        for v in opened:
            held = self.snap.started.get(v["code"])
            if held is None:
                out.append(v)
            elif any(held[k] != v[k] for k in _STRUCTURE):
                theirs = {k: held[k] for k in _STRUCTURE}
                ours = {k: v[k] for k in _STRUCTURE}
                conflicts.append(f"{v['code']} from {v['valid_from']} is {theirs}, the plan says {ours}")
        if conflicts:
            raise PlanError(self.plan.code, [f"snapshot conflict: {m}" for m in conflicts])
        return out

    def reports(self, closures: list[Closure], opened: list[Version]) -> tuple[OperationReport, ...]:
        by_op: dict[int, tuple[list[str], list[str], list[str]]] = {
            i: ([], [], []) for i in range(len(self.plan.operations))
        }
        for c in closures:
            if c.operation is not None:
                by_op[c.operation][0].append(c.code)
        for v in opened:
            by_op[self.fresh.get(v["code"], self.changed.get(v["code"], 0))][1].append(v["code"])
        for m in self.moves.values():
            by_op[m.operation][2].append(m.code)
        return tuple(
            OperationReport(i, describe(i, op), *map(tuple, by_op[i])) for i, op in enumerate(self.plan.operations)
        )
