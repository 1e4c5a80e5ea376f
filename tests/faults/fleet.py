"""Many nominations in flight at once, driven over HTTP while a fault test breaks the system.

A fleet is drafted at the demo school and submitted as tờ trình (`POST /batches`, `…/submit`);
each nomination has a plan: conferred at the end of its route (alone, or with others under one
decision number, `POST /decisions`), or refused or returned at a given level. One poller reads
every inbox on the routes; each nomination's driver acts where its item is pending (the level's
council ballot and the proposer's posting before a forward, then the decision) and, when a call
dies with the process it reached, reads the inboxes again and does what is still to do: it needs
no memory of what it sent, so it survives any process dying. Requests are bounded by a semaphore.
What the fleet did is checked afterwards by `tests/faults/verdict.py`.
"""

import asyncio
import time
from collections import Counter
from typing import Any

import httpx

from shared.contracts.tiers import Tier
from tests.e2e.conftest import RunningSystem
from tests.faults.plans import SCHOOL, Flight, Plan
from tests.helpers import auth, document, post_consultation, proposer_kinds

REASON = {"refuse": "Chưa đủ thành tích theo quy định", "return": "Bổ sung bản nhận xét của cấp ủy"}
POLL_S = 0.4
BACKOFF_S = 2.0
UNSEEN_S = 3.0  # in no inbox this long: ask the workflow where it stands


class Down(Exception):
    """The call did not get the answer it needed (the process died, or the item is not ready)."""


class Fleet:
    def __init__(self, system: RunningSystem, concurrency: int = 8, limit: float = 300) -> None:
        self.system, self.limit = system, limit
        self.gate = asyncio.Semaphore(concurrency)
        self.flights: list[Flight] = []
        self.inboxes: dict[str, dict[str, dict[str, Any]]] = {}  # agency → nomination id → item
        self.tiers: dict[str, Tier] = {}  # the agencies polled, and their service
        self.prepared: set[tuple[str, int]] = set()  # (nomination, step) whose forward is prepared
        self.accepted: Counter[str] = Counter()  # decisions accepted, by action
        self.errors: Counter[str] = Counter()  # calls that failed on the way and were tried again
        self.councils: dict[str, tuple[str, list[str]]] = {}
        self.today = ""  # the services' business date: meetings are dated by it
        self._groups: dict[str, asyncio.Lock] = {}
        self._poller: asyncio.Task | None = None
        self.drive: asyncio.Task | None = None  # `start`: the fleet driven in the background
        self.started = time.monotonic()
        self.log: list[str] = []  # what happened when, shown when a test fails

    # --- requests -------------------------------------------------------------------------------

    async def call(self, tier: Tier, method: str, path: str, agency: str, role: str, **kw: Any) -> httpx.Response:
        async with self.gate:
            try:
                return await self.system[tier].request(method, path, headers=auth(agency, role), **kw)
            except httpx.HTTPError as err:
                self.errors[f"{method} {path.split('/')[1]} at {tier.value}: {type(err).__name__}"] += 1
                raise Down(f"{type(err).__name__}: {err}") from err

    async def expect(self, status: int, tier: Tier, method: str, path: str, agency: str, role: str, **kw: Any) -> Any:
        r = await self.call(tier, method, path, agency, role, **kw)
        if r.status_code != status:
            self.errors[f"{method} {path.split('/')[1]} at {tier.value}: {r.status_code}"] += 1
            raise Down(f"{method} {path} at {agency}: {r.status_code} {r.text[:300]}")
        return r.json()

    # --- the fleet ------------------------------------------------------------------------------

    async def set_up_councils(self, levels: list[tuple[Tier, str]]) -> None:
        """Each level's council, the agency's chair and clerk, before anything is broken."""
        self.today = (await self.system[Tier.UNIT].get("/health")).json()["business_date"]
        for tier, agency in levels:
            council = await self.expect(
                201, tier, "POST", "/councils", agency, "chair", json={"name": f"Hội đồng TĐKT {agency}"}
            )
            members = []
            for role, position in (("chair", "chair"), ("clerk", "secretary")):
                body = {"officer_id": f"{agency}:{role}", "position": position, "from": "2025-01-01"}
                r = await self.call(tier, "POST", f"/councils/{council['id']}/members", agency, "chair", json=body)
                if r.status_code == 201:
                    members.append(f"{agency}:{role}")
            self.councils[agency] = (council["id"], members)

    async def submit(self, plans: list[Plan], number: str, prefix: str) -> list[Flight]:
        """Drafts for every plan, put in one tờ trình numbered `number`, documents attached to all
        at once, and the tờ trình submitted: all or none, each nomination starting its own route."""
        names = [f"{prefix} {i:02d}" for i in range(len(plans))]

        async def draft(name: str, plan: Plan) -> Flight:
            body = {"nominee_name": name, "award_code": plan.award, "reason": "Thành tích xuất sắc"}
            made = await self.expect(201, Tier.UNIT, "POST", "/nominations", SCHOOL, "clerk", json=body)
            return Flight(made["id"], name, plan)

        flights = list(await asyncio.gather(*(draft(n, p) for n, p in zip(names, plans, strict=True))))
        batch = await self.expect(
            201, Tier.UNIT, "POST", "/batches", SCHOOL, "clerk", json={"number": number, "title": f"Đề nghị {prefix}"}
        )
        url = f"/batches/{batch['id']}"
        ids = [f.nomination_id for f in flights]
        await self.expect(200, Tier.UNIT, "POST", f"{url}/nominations", SCHOOL, "clerk", json={"nomination_ids": ids})
        for kind in sorted({k for p in plans for k in proposer_kinds(p.award)}):
            body = document(kind, f"{kind}: {number}")
            await self.expect(201, Tier.UNIT, "POST", f"{url}/documents", SCHOOL, "clerk", json=body)
        await self.submit_batch(url, len(flights))
        self.flights += flights
        return flights

    async def submit_batch(self, url: str, count: int) -> None:
        """Submit, and again for those whose workflow did not start (starting is idempotent)."""
        deadline = time.monotonic() + self.limit
        while True:
            r = await self.call(Tier.UNIT, "POST", f"{url}/submit", SCHOOL, "clerk")
            started = r.json().get("started", []) if r.status_code == 202 else []
            if len(started) == count and not any("error" in s for s in started):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"the tờ trình {url} was not submitted: {r.status_code} {r.text[:500]}")
            await asyncio.sleep(POLL_S)

    # --- the inboxes ----------------------------------------------------------------------------

    def watch(self, levels: list[tuple[Tier, str]]) -> None:
        for tier, agency in levels:
            self.tiers[agency] = tier
            self.inboxes.setdefault(agency, {})
        if self._poller is None:
            self._poller = asyncio.create_task(self._poll(), name="fleet-inboxes")

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None

    async def _poll(self) -> None:
        async def one(agency: str) -> None:
            try:
                r = await self.system[self.tiers[agency]].get("/inbox", headers=auth(agency, "chair"))
            except httpx.HTTPError:
                return  # the service is away: what was last seen stays until it answers again
            if r.status_code == 200:
                self.inboxes[agency] = {i["nomination_id"]: i for i in r.json()}

        while True:
            await asyncio.gather(*(one(a) for a in list(self.tiers)))
            await asyncio.sleep(POLL_S)

    def where(self, flight: Flight) -> tuple[str, dict[str, Any]] | None:
        for agency, items in self.inboxes.items():
            if flight.nomination_id in items:
                return agency, items[flight.nomination_id]
        return None

    def pending_at(self, agency: str) -> int:
        return len(self.inboxes.get(agency, {}))

    def unfinished(self) -> int:
        return sum(not f.done for f in self.flights)

    async def decisions(self, more: int, within: float = 60) -> None:
        """Until `more` further decisions have been accepted (or the drive ended)."""
        target, deadline = sum(self.accepted.values()) + more, time.monotonic() + within
        while sum(self.accepted.values()) < target and time.monotonic() < deadline:
            if self.drive is None or self.drive.done():
                break
            await asyncio.sleep(0.1)

    async def busy(self, agency: str, at_least: int = 3, within: float = 120) -> int:
        """Until `at_least` items are pending at `agency` (or the drive ended): a fault then lands on
        work there. Returns how many are unfinished."""
        deadline = time.monotonic() + within
        while self.pending_at(agency) < at_least and self.unfinished() and time.monotonic() < deadline:
            if self.drive is not None and self.drive.done():
                break
            await asyncio.sleep(0.1)
        return self.unfinished()

    # --- driving --------------------------------------------------------------------------------

    async def fly(self, flights: list[Flight], until: dict[str, int] | None = None) -> None:
        """Drive each flight to its plan's end, or to pending at step `until[id]`; fail naming
        every flight that did not get there, with the last error it met."""
        self.say(f"driving {len(flights)} nominations {'to their waiting levels' if until else 'to their ends'}")
        outcomes = await asyncio.gather(*(self._fly(f, (until or {}).get(f.nomination_id)) for f in flights))
        self.say(f"driven: {sum(outcomes)} of {len(flights)} there; {dict(self.accepted)} accepted so far")
        stuck = [f for f, ok in zip(flights, outcomes, strict=True) if not ok]
        if stuck:
            raise AssertionError(
                f"{len(stuck)} of {len(flights)} nominations did not get where they were driven: "
                + "; ".join(f"{f.nominee} ({f.nomination_id}, {f.plan}): {f.last_error}" for f in stuck[:5])
            )

    def start(self, flights: list[Flight]) -> asyncio.Task:
        """Drive `flights` to their ends in the background (a fault test breaks things meanwhile)."""
        self.drive = asyncio.create_task(self.fly(flights), name="fleet-drive")
        return self.drive

    def say(self, what: str) -> None:
        self.log.append(f"{time.monotonic() - self.started:6.1f} s  {what}")
        print(self.log[-1], flush=True)

    async def _fly(self, flight: Flight, until: int | None) -> bool:
        deadline = time.monotonic() + self.limit
        unseen, failures = time.monotonic(), 0
        while not flight.done and time.monotonic() < deadline:
            seen = self.where(flight)
            if seen is None:
                if time.monotonic() - unseen > UNSEEN_S:  # decided by a call whose answer was lost?
                    await self._ended(flight)
                    unseen = time.monotonic()
                await asyncio.sleep(POLL_S / 2)
                continue
            unseen = time.monotonic()
            agency, item = seen
            flight.route, step = item["route"], int(item["step"])
            if until is not None and step >= until:
                return True
            try:
                await self._act(flight, agency, step)
                failures = 0
            except Down as why:  # tried again, less often while it keeps failing (a process is away)
                flight.last_error, failures = str(why), failures + 1
                await asyncio.sleep(min(BACKOFF_S, POLL_S * 1.5**failures))
        return flight.done or until is not None and self._reached(flight, until)

    async def _ended(self, flight: Flight) -> None:
        """The workflow says whether the planned decision was taken (its answer may have died with
        the service); if so the flight is done."""
        try:
            r = await self.call(Tier.UNIT, "GET", f"/nominations/{flight.nomination_id}/status", SCHOOL, "clerk")
        except Down as why:
            flight.last_error = str(why)
            return
        if r.status_code != 200:
            flight.last_error = f"status: {r.status_code} {r.text[:300]}"
            return
        status = r.json()
        flight.route = status["route"]
        if status["state"] == flight.plan.ends and int(status["step"]) == flight.deciding_step():
            flight.done = True
        else:
            flight.last_error = f"in no inbox; the workflow says {status['state']} at step {status['step']}"

    def _reached(self, flight: Flight, until: int) -> bool:
        seen = self.where(flight)
        return seen is not None and int(seen[1]["step"]) >= until

    async def _act(self, flight: Flight, agency: str, step: int) -> None:
        tier, plan = self.tiers[agency], flight.plan
        deciding = step == flight.deciding_step()
        if not deciding:
            if (flight.nomination_id, step) not in self.prepared:
                await self.prepare(flight, tier, agency, step)
                self.prepared.add((flight.nomination_id, step))
            await self.decide(flight, tier, agency, step, {"action": "forward", "reason": "Đủ điều kiện"})
        elif plan.together:
            await self.confer_together(flight, tier, agency, plan.together)
        elif plan.action == "confer":
            number = f"{flight.nomination_id[:6]}/QĐ"
            await self.decide(flight, tier, agency, step, {"action": "confer", "decision_no": number}, final=True)
        else:
            await self.decide(flight, tier, agency, step, {"action": plan.action, "reason": REASON[plan.action]}, True)

    async def decide(
        self, flight: Flight, tier: Tier, agency: str, step: int, body: dict[str, str], final: bool = False
    ) -> None:
        path = f"/reviews/{flight.nomination_id}/decision"
        await self.expect(200, tier, "POST", path, agency, "chair", json=body)
        self.accepted[body["action"]] += 1
        flight.done = final
        self.inboxes[agency].pop(flight.nomination_id, None)  # gone from here; the poller says where next
        if not final:
            await self._left(flight, agency, step)

    async def _left(self, flight: Flight, agency: str, step: int) -> None:
        """Until the poller no longer shows the item pending here at this step."""
        while True:
            seen = self.where(flight)
            if seen is None or seen[0] != agency or int(seen[1]["step"]) != step:
                return
            await asyncio.sleep(POLL_S / 2)

    async def prepare(self, flight: Flight, tier: Tier, agency: str, step: int) -> None:
        """What a level does before it forwards: the proposer's posting, then the council's ballot."""
        award = flight.plan.award
        if step == 0 and "proposer" == default_posting(award):
            async with self.gate:
                try:
                    r = await post_consultation(self.system[tier], agency, flight.nomination_id)
                except httpx.HTTPError as err:
                    raise Down(f"posting at {agency}: {type(err).__name__}: {err}") from err
            if r.status_code not in (201, 409):  # 409: posted by an attempt whose answer was lost
                raise Down(f"posting at {agency}: {r.status_code} {r.text[:300]}")
        if tier is Tier.CENTRAL:
            return
        council_id, members = self.councils[agency]
        body = {
            "held_on": self.today,
            "present": members,
            "items": [{"nomination_id": flight.nomination_id, "award_code": award, "nominee_name": flight.nominee}],
        }
        meeting = await self.expect(201, tier, "POST", f"/councils/{council_id}/meetings", agency, "chair", json=body)
        url = f"/meetings/{meeting['id']}/items/{flight.nomination_id}"
        await asyncio.gather(*(
            self.expect(201, tier, "POST", f"{url}/votes", agency, member.split(":")[1], json={"vote": "yes"})
            for member in members
        ))  # fmt: skip
        await self.expect(200, tier, "POST", f"{url}/close-round", agency, "chair")

    async def confer_together(self, flight: Flight, tier: Tier, agency: str, number: str) -> None:
        """Once every member of the group is pending here, one decision confers on all of them;
        whoever is left pending (the call died midway) is conferred by the next attempt."""
        group = [f for f in self.flights if f.plan.together == number]
        if any(self.where(f) is None or self.where(f)[0] != agency for f in group if not f.done):  # type: ignore[index]
            flight.last_error = f"waiting for the whole group of {number} at {agency}"
            await asyncio.sleep(POLL_S)
            return
        async with self._groups.setdefault(number, asyncio.Lock()):
            if flight.done:
                return
            ids = [f.nomination_id for f in group if not f.done]
            body = {"decision_no": number, "nomination_ids": ids, "reason": "Có thành tích xuất sắc"}
            answer = await self.expect(200, tier, "POST", "/decisions", agency, "chair", json=body)
            for result in answer["results"]:
                member = next(f for f in group if f.nomination_id == result["nomination_id"])
                if result["conferred"]:
                    member.done = True
                    self.accepted["confer"] += 1
                    self.inboxes[agency].pop(member.nomination_id, None)
                else:
                    member.last_error = f"{number}: {result['error']}"


def default_posting(award: str) -> str | None:
    from shared.rules.catalog import default_catalog

    posting = default_catalog().awards[award].public_posting
    return posting.by if posting.required else None
