"""The rules a plan must keep, checked before anything is applied; every broken rule is reported.

Without a snapshot only the plan's own consistency is checked (split defaults and hints, a unit
merged twice, a code created twice). With one, every code is checked against the registry as it
stood on the eve of the effective date, in operation order: unknown codes, reused codes,
operations on units the plan already retired, parents and successors that will not exist, and
cycles in the parent tree.
"""

from collections import Counter, defaultdict

from shared.reorg.plan import (
    AbolishTier,
    Dissolve,
    Merge,
    Move,
    Operation,
    Plan,
    PlanError,
    Rename,
    Split,
    describe,
)
from shared.reorg.snapshot import Snapshot

QD19 = "QĐ 19/2025/QĐ-TTg"


def check_plan(plan: Plan, snapshot: Snapshot | None = None) -> None:
    """Raise ``PlanError`` listing every broken rule; return quietly if there is none."""
    problems = _own_problems(plan)
    if snapshot is not None:
        problems += _Registry(plan, snapshot).problems()
    if problems:
        raise PlanError(plan.code, problems)


def _own_problems(plan: Plan) -> list[str]:
    problems: list[str] = []
    splits = {op.source: (i, op) for i, op in enumerate(plan.operations) if isinstance(op, Split)}
    merged: dict[str, list[tuple[int, str]]] = defaultdict(list)
    created: dict[str, int] = {}
    for i, op in enumerate(plan.operations):
        where = describe(i, op)
        match op:
            case Merge():
                if op.into in created:
                    problems.append(
                        f"{where} field 'into': {op.into} is already created by operation #{created[op.into]}"
                    )
                created.setdefault(op.into, i)
                for s in _repeated(op.sources):
                    problems.append(f"{where} field 'sources': {s} is listed twice")
                for s in dict.fromkeys(op.sources):
                    _merged_twice(problems, where, s, op.into, merged[s], splits.get(s))
                    merged[s].append((i, op.into))
            case Split():
                for s in _repeated(op.successors):
                    problems.append(f"{where} field 'successors': {s} is listed twice")
                if op.default is not None and op.default not in op.successors:
                    problems.append(
                        f"{where} field 'default': {op.default} is not among the successors {_codes(op.successors)}"
                    )
                for unit, target in op.hints.items():
                    if target not in op.successors:
                        problems.append(
                            f"{where} field 'hints.{unit}': hint for {unit} points to {target}, "
                            f"which is not among the successors {_codes(op.successors)}"
                        )
            case Move() if op.parent == op.code:
                problems.append(f"{where} field 'parent': moving {op.code} under itself is a cycle")
            case Dissolve() if op.successor == op.code:
                problems.append(f"{where} field 'successor': {op.code} cannot succeed itself")
    return problems


def _merged_twice(
    problems: list[str],
    where: str,
    source: str,
    into: str,
    earlier: list[tuple[int, str]],
    split: tuple[int, Split] | None,
) -> None:
    if split is not None:
        j, op = split
        if into not in op.successors:
            problems.append(
                f"{where} field 'sources': {source} is split by operation #{j}, whose successors "
                f"{_codes(op.successors)} do not include {into}"
            )
        return
    if earlier:
        j, target = earlier[0]
        problems.append(
            f"{where} field 'sources': {source} is merged twice (already a source of operation "
            f"#{j}, merge into {target}); a unit that goes to several units must be the source "
            "of a split listing all of them"
        )


class _Registry:
    """Replays the plan over the eve-of-effective registry, tracking which codes stand."""

    def __init__(self, plan: Plan, snapshot: Snapshot) -> None:
        self.plan, self.snap = plan, snapshot
        self.eve = snapshot.eve
        self.closed: dict[str, str] = {}  # code -> the operation that retired its eve version
        self.closer: dict[str, Operation] = {}
        self.created: dict[str, int] = {}  # code -> the merge that opens a new version of it
        self.parent = {c: v["parent_code"] for c, v in snapshot.before.items()}
        self.set_by: dict[str, str] = {}  # code -> the operation that last set its parent
        self.targets: list[tuple[str, str, str]] = []  # (where, field, code) to exist at the end
        self.out: list[str] = []

    def live(self, code: str) -> bool:
        return code in self.created or (code in self.snap.before and code not in self.closed)

    def problems(self) -> list[str]:
        for i, op in enumerate(self.plan.operations):
            where = describe(i, op)
            match op:
                case Merge():
                    self.merge(i, where, op)
                case Split():
                    self.split(i, where, op)
                case AbolishTier():
                    self.abolish(i, where, op)
                case Rename():
                    self.subject(where, "code", op.code)
                case Move():
                    if self.subject(where, "code", op.code):
                        self.targets.append((where, "parent", op.parent))
                        self.parent[op.code], self.set_by[op.code] = op.parent, where
                case Dissolve():
                    if self.subject(where, "code", op.code):
                        if op.code in self.created:
                            self.out.append(
                                f"{where} field 'code': {op.code} is created by operation "
                                f"#{self.created[op.code]}; a plan does not create and dissolve "
                                "the same unit"
                            )
                        self.retire(op.code, i, op)
                        if op.successor is not None:
                            self.targets.append((where, "successor", op.successor))
        for where, field, code in self.targets:
            if not self.live(code):
                self.out.append(f"{where} field '{field}': {self.why_missing(code)}")
        self.cycles()
        return self.out

    def merge(self, i: int, where: str, op: Merge) -> None:
        for s in dict.fromkeys(op.sources):
            if s not in self.snap.before:
                self.out.append(f"{where} field 'sources': {self.why_missing(s)}")
                continue
            closer = self.closer.get(s)
            if closer is None:
                self.retire(s, i, op)
            elif not isinstance(closer, Merge | Split):
                self.out.append(f"{where} field 'sources': {s} was already retired by {self.closed[s]}")
            # closed by a merge or a split: a split source, or "merged twice" (_own_problems)
        if op.into not in op.sources:
            self.new_code(where, op.into)
        self.created.setdefault(op.into, i)
        self.parent[op.into], self.set_by[op.into] = op.parent, where
        if op.parent is not None:
            self.targets.append((where, "parent", op.parent))

    def new_code(self, where: str, code: str) -> None:
        """QĐ 19/2025: the host's code, or one never used; a retired code is never reused."""
        if code in self.created:
            return  # reported as "created twice" by _own_problems
        if code in self.snap.retired_on:
            self.out.append(
                f"{where} field 'into': {code} was retired on {self.snap.retired_on[code]} and "
                f"retired codes are never reused ({QD19})"
            )
        elif code in self.closed:
            self.out.append(
                f"{where} field 'into': {code} is retired by {self.closed[code]} and retired "
                f"codes are never reused ({QD19})"
            )
        elif code in self.snap.before:
            self.out.append(
                f"{where} field 'into': {code} is an agency in force and not one of the sources; "
                f"a merged unit keeps the code of the source hosting its seat or takes a new code "
                f"({QD19})"
            )

    def split(self, i: int, where: str, op: Split) -> None:
        if op.source not in self.snap.before:
            self.out.append(f"{where} field 'source': {self.why_missing(op.source)}")
            return
        if op.source in self.closed and not isinstance(self.closer[op.source], Merge):
            self.out.append(f"{where} field 'source': {op.source} was already retired by {self.closed[op.source]}")
        self.retire(op.source, i, op)
        for k, s in enumerate(op.successors):
            self.targets.append((where, f"successors.{k}", s))
        for unit in op.hints:
            v = self.snap.before.get(unit)
            if v is None:
                self.out.append(f"{where} field 'hints.{unit}': {self.why_missing(unit)}")
            elif op.source not in (v["parent_code"], v.get("location_code")):
                self.out.append(
                    f"{where} field 'hints.{unit}': {unit} is neither located in nor attached to {op.source}"
                )

    def abolish(self, i: int, where: str, op: AbolishTier) -> None:
        codes = [
            c
            for c, v in self.snap.before.items()
            if v["tier"] == op.tier and c not in self.closed and c not in self.created
        ]
        if not codes:
            self.out.append(f"{where} field 'tier': no agency of tier {op.tier!r} is in force on {self.eve}")
        for code in codes:
            self.retire(code, i, op)

    def subject(self, where: str, field: str, code: str) -> bool:
        if self.live(code):
            return True
        if code in self.closed:
            self.out.append(f"{where} field '{field}': {code} was already retired by {self.closed[code]}")
        else:
            self.out.append(f"{where} field '{field}': {self.why_missing(code)}")
        return False

    def retire(self, code: str, i: int, op: Operation) -> None:
        if code not in self.closed:
            self.closed[code], self.closer[code] = describe(i, op), op
        if code not in self.created:
            self.parent.pop(code, None)

    def why_missing(self, code: str) -> str:
        if code in self.closed and code not in self.created:
            return f"{code} is retired by {self.closed[code]}"
        if code in self.snap.retired_on:
            return f"{code} is not in force on {self.eve} (retired on {self.snap.retired_on[code]})"
        return f"{code} is unknown: no version in force on {self.eve} and not created by the plan"

    def cycles(self) -> None:
        done: set[str] = set()
        for start in list(self.parent):
            path: list[str] = []
            code: str | None = start
            while code is not None and code not in done and code not in path:
                path.append(code)
                code = self.parent.get(code)
            if code is not None and code in path:
                loop = path[path.index(code) :]
                culprit = next((self.set_by[c] for c in reversed(loop) if c in self.set_by), None)
                where = f"{culprit} field 'parent'" if culprit else "parents"
                chain = " → ".join([*loop, code])
                self.out.append(f"{where}: the parent tree has a cycle: {chain}")
            done.update(path)


def _repeated(codes: list[str]) -> list[str]:
    return [c for c, n in Counter(codes).items() if n > 1]


def _codes(codes: list[str]) -> str:
    return "[" + ", ".join(codes) + "]"
