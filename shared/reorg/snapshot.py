"""A registry snapshot seen from a plan's effective date: what stands on the eve, what retired."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

Version = dict[str, Any]  # keys as ``services.kit.registry.models.Agency``, plus an optional ``location_code``

# Kinds of commune-level administrative units; every other "unit"-tier agency is grassroots.
COMMUNE_KINDS = frozenset({"commune", "ward", "town", "special_zone"})


def is_grassroots(version: Version) -> bool:
    """A school, enterprise, department…: hosted by the "unit" tier but not a commune."""
    return version["tier"] == "unit" and version["kind"] not in COMMUNE_KINDS


@dataclass(frozen=True)
class Snapshot:
    effective: date
    before: dict[str, Version]  # code -> the version in force on the eve of ``effective``
    started: dict[str, Version]  # code -> a version starting on ``effective`` (a plan's result)
    retired_on: dict[str, date]  # code -> last day, for codes used before and out of force on eve
    children: dict[str, list[str]]  # parent code -> codes whose eve version hangs under it

    @property
    def eve(self) -> date:
        return self.effective - timedelta(days=1)


def index_snapshot(versions: Iterable[Version], effective: date) -> Snapshot:
    eve = effective - timedelta(days=1)
    before: dict[str, Version] = {}
    started: dict[str, Version] = {}
    last_day: dict[str, date] = {}
    for v in versions:
        code, start, end = v["code"], v["valid_from"], v["valid_to"]
        if start == effective:
            started[code] = v
        if start > eve:
            continue
        if end is None or end >= eve:
            if code in before:
                raise ValueError(f"snapshot holds two versions of {code} in force on {eve}")
            before[code] = v
        else:
            last_day[code] = max(end, last_day.get(code, end))
    children: dict[str, list[str]] = defaultdict(list)
    for code, v in before.items():
        if v["parent_code"] is not None:
            children[v["parent_code"]].append(code)
    retired = {c: d for c, d in last_day.items() if c not in before}
    return Snapshot(effective, before, started, retired, dict(children))
