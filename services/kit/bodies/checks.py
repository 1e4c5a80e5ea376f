"""Registrations checked against this service's registry replica, in order (decision 0015).

A body is accepted when its code is free (in the registry, and on the earlier rows of the same
file), its managing authority is in force on the body's first day and today, the body's tier is not
above the authority's, its location is a commune in force, and the caller is an admin of the
managing authority or of an agency above it. A body accepted on an earlier row may manage a later
one, so that a sở and its schools come in one file.

Nothing here writes.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from services.kit.identity.service import Caller
from services.kit.registry.models import Agency
from services.kit.registry.service import agency_on, chain_upwards
from shared.contracts.tiers import Tier
from shared.hierarchy.bodies import COMMUNE_CODE, COMMUNE_KINDS, TIERS, Body, Problem, body_problems, vn_date

PRELOAD_BATCH = 500


@dataclass(frozen=True)
class Accepted:
    body: Body
    row: int | None
    # The managing authority and the agencies above it, nearest first, on the day the caller acts.
    managers: tuple[str, ...]


class Checker:
    """Checks bodies one after the other for one caller; remembers the accepted ones."""

    def __init__(self, session: AsyncSession, *, caller: Caller, today: date) -> None:
        self.session = session
        self.caller = caller
        self.today = today
        self.accepted: dict[str, Accepted] = {}
        self._existing: dict[str, Agency | None] = {}
        self._chains: dict[tuple[str, date], list[Agency]] = {}

    async def preload(self, codes: Iterable[str]) -> None:
        """Which of these codes the registry holds, in a few queries rather than one per body."""
        wanted = sorted({c for c in codes if c} - set(self._existing))
        for start in range(0, len(wanted), PRELOAD_BATCH):
            batch = wanted[start : start + PRELOAD_BATCH]
            self._existing.update(dict.fromkeys(batch))
            rows = await self.session.exec(
                select(Agency).where(col(Agency.code).in_(batch)).order_by(col(Agency.valid_from))
            )
            for agency in rows.all():
                self._existing[agency.code] = agency

    async def check(self, body: Body, *, row: int | None = None) -> list[Problem]:
        """What stops `body` from being registered by the caller; none: it is accepted."""
        problems = body_problems(body)
        fields = {p.field for p in problems}
        if "code" not in fields:
            problems += await self._code_problems(body)
        if "parent_code" not in fields:
            problems += await self._authority_problems(body)
        if body.location_code and "location_code" not in fields:
            problems += await self._location_problems(body)
        if not problems:
            managers = await self._managers(body)
            self.accepted[body.code] = Accepted(body, row, managers or ())
        return problems

    async def _code_problems(self, body: Body) -> list[Problem]:
        earlier = self.accepted.get(body.code)
        if earlier is not None:
            return [
                Problem(
                    "code",
                    f"mã {body.code} trùng với dòng {earlier.row} của tệp",
                    f"the code {body.code} is already on row {earlier.row} of this file",
                    "conflict",
                )
            ]
        await self.preload([body.code])
        existing = self._existing[body.code]
        if existing is None:
            return []
        return [
            Problem(
                "code",
                f"mã {body.code} đã được dùng cho {existing.name}",
                f"the code {body.code} is taken by {existing.name} ({existing.kind}, from {existing.valid_from})",
                "conflict",
            )
        ]

    def _days(self, body: Body) -> list[date]:
        """The managing authority must be in force on the body's first day and, from then on, today."""
        return sorted({body.valid_from, max(body.valid_from, self.today)})

    async def _chain(self, code: str, on: date) -> list[Agency]:
        if (code, on) not in self._chains:
            self._chains[code, on] = await chain_upwards(self.session, code, on)
        return self._chains[code, on]

    async def _managers(self, body: Body) -> tuple[str, ...] | None:
        """The managing authority and those above it, on the day the caller acts; None: not in force."""
        pending = self.accepted.get(body.parent_code)
        if pending is not None:
            return (pending.body.code, *pending.managers)
        chain = await self._chain(body.parent_code, self._days(body)[-1])
        return tuple(a.code for a in chain) or None

    async def _authority_problems(self, body: Body) -> list[Problem]:
        parent = body.parent_code
        pending = self.accepted.get(parent)
        if pending is not None:
            parent_tier = pending.body.tier
            if pending.body.valid_from > body.valid_from:
                return [
                    Problem(
                        "valid_from",
                        f"{parent} (dòng {pending.row}) chỉ có hiệu lực từ {vn_date(pending.body.valid_from)}",
                        f"{parent} (row {pending.row}) is in force only from {pending.body.valid_from}",
                    )
                ]
        else:
            for day in self._days(body):
                if not await self._chain(parent, day):
                    return [await self._not_in_force(parent, day)]
            parent_tier = (await self._chain(parent, self._days(body)[-1]))[0].tier
        problems = []
        managers = await self._managers(body) or ()
        if self.caller.agency_code not in managers:
            problems.append(
                Problem(
                    "parent_code",
                    f"{self.caller.agency_code} không phải {parent} hay cơ quan cấp trên của {parent}: chỉ quản trị "
                    "viên của cơ quan quản lý hoặc cơ quan cấp trên mới được đăng ký đơn vị trực thuộc",
                    f"you act for {self.caller.agency_code}, which is neither {parent} nor an agency above it: only "
                    "an admin of the managing authority or of an agency above it registers a body under it",
                    "forbidden",
                )
            )
        known = {t.value for t in TIERS} | {Tier.CENTRAL.value}
        if body.tier in known and parent_tier in known and Tier(body.tier).rank > Tier(parent_tier).rank:
            problems.append(
                Problem(
                    "tier",
                    f"đơn vị cấp {body.tier} không thể trực thuộc {parent} (cấp {parent_tier})",
                    f"a body of tier {body.tier} cannot sit under {parent}, whose tier {parent_tier} is lower",
                )
            )
        return problems

    async def _not_in_force(self, code: str, day: date) -> Problem:
        versions = list(
            (await self.session.exec(select(Agency).where(Agency.code == code).order_by(col(Agency.valid_from)))).all()
        )
        if not versions:
            return Problem(
                "parent_code",
                f"không có cơ quan quản lý mã {code} trong danh mục",
                f"no agency {code} in the registry to manage the body",
            )
        first, last = versions[0], versions[-1]
        if day < first.valid_from:
            vi, en = f"có hiệu lực từ {vn_date(first.valid_from)}", f"it is in force from {first.valid_from}"
        elif last.valid_to is not None and day > last.valid_to:
            heirs = ", ".join(last.successors or []) or "—"
            vi = f"ngày cuối cùng là {vn_date(last.valid_to)}; đơn vị kế thừa: {heirs}"
            en = f"its last day was {last.valid_to}; successors: {heirs}"
        else:
            vi, en = "không có phiên bản nào hiệu lực vào ngày đó", "no version of it covers that day"
        return Problem(
            "parent_code",
            f"cơ quan quản lý {code} ({last.name}) không có hiệu lực ngày {vn_date(day)}: {vi}",
            f"the managing authority {code} ({last.name}) is not in force on {day}: {en}",
        )

    async def _location_problems(self, body: Body) -> list[Problem]:
        location = body.location_code
        assert location is not None and COMMUNE_CODE.fullmatch(location)
        commune = await agency_on(self.session, location, body.valid_from)
        if commune is not None and commune.kind in COMMUNE_KINDS:
            return []
        return [
            Problem(
                "location_code",
                f"{location} không phải xã, phường, thị trấn hay đặc khu có hiệu lực ngày {vn_date(body.valid_from)}",
                f"{location} is not a commune, ward, town or special zone in force on {body.valid_from}",
            )
        ]
