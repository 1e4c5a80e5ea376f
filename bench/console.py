"""Scenario (f): the console's two busiest pages over a big inbox, `python -m bench console`.

One district service's database (SQLite, migrated and seeded as `make run` does) is filled with
N reviews pending at or decided by one agency (default 100,000: Vietnamese names, 40 proposing
units, 8 awards, deadlines spread over a year), and one nomination with a six-level timeline (18
events). The console is called in process through its HTTP interface (httpx's ASGI transport: the
routing, the session cookie, the database queries and the template rendering, without a socket),
one request at a time, after a warm-up:

- the inbox's first page (pending, by deadline), a later page, a search without diacritics, an
  award filter, the overdue filter, the kind filter, "assigned to me", the "any status" view
  (every visit);
- the nomination page with the six-level timeline.

Targets (issue 11): the filtered inbox p95 ≤ 200 ms, the nomination page p95 ≤ 300 ms.
"""

import argparse
import random
import statistics
import tempfile
import time
import types
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert

from deploy.demo_data import demo_token
from deploy.seed import seed
from services.kit.app import create_app
from services.kit.console.session import COOKIE
from services.kit.migrate import migrate_async
from services.kit.nominations.models import Review
from services.kit.tracking.models import TrackingEntry
from shared.contracts.tiers import Tier
from shared.platform.db import make_engine, session_factory
from shared.platform.settings import ServiceSettings
from shared.text import fold

AGENCY, TODAY = "D903", date(2025, 5, 15)
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Thị", "Văn", "Minh", "Ngọc", "Thanh", "Hữu", "Đức", "Thu"]
GIVEN = ["Lan", "Hoa", "Bình", "An", "Cúc", "Dũng", "Hùng", "Mai", "Nam", "Phúc", "Sơn", "Tâm", "Yến", "Khang"]
AWARDS = ["BANG_KHEN_TINH", "CSTD_CO_SO", "CSTD_TINH", "GIAY_KHEN", "LAO_DONG_TIEN_TIEN", "HCLD_HANG_BA",
          "CO_THI_DUA_TINH", "TAP_THE_LAO_DONG_TIEN_TIEN"]  # fmt: skip
ROUTE = [("unit", "U91-0001"), ("district", AGENCY), ("province", "P91"), ("central", "TW-BTDKT"),
         ("central", "TW-TTG"), ("central", "TW-CTN")]  # fmt: skip


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench console", description=__doc__)
    p.add_argument("--n", type=int, default=100_000, help="reviews in the agency's inbox (default 100,000)")
    p.add_argument("--requests", type=int, default=100, help="timed requests per page (default 100)")
    return p.parse_args(argv)


def reviews(n: int, rng: random.Random) -> list[dict]:
    proposers = [f"U91-{i:04d}" for i in range(1, 41)]
    rows = []
    for i in range(n):
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        opened = datetime(2025, 1, 2, tzinfo=UTC) + timedelta(minutes=i)
        rows.append(
            {
                "nomination_id": str(uuid.UUID(int=rng.getrandbits(128))),
                "workflow_id": f"nomination-{i}",
                "agency_code": AGENCY,
                "step": 1,
                "visit": 1,
                "status": "pending" if i % 4 else rng.choice(["forwarded", "returned", "refused"]),
                "award_code": AWARDS[i % len(AWARDS)],
                "nominee_name": name,
                "nominee_search": fold(name),
                "proposer_agency": proposers[i % len(proposers)],
                "nominee_kind": "collective" if i % 5 == 0 else "individual",
                "assigned_to": f"{AGENCY}:chair" if i % 50 == 0 else None,  # the chair measures "mine"
                "route": [{"tier": t, "agency_code": a} for t, a in ROUTE[:3]],
                "opened_at": opened,
                "due_on": TODAY + timedelta(days=rng.randint(-60, 300)),
                "held": False,
            }
        )
    return rows


def timeline(nomination_id: str) -> list[dict]:
    events = []
    moment = datetime(2025, 3, 1, tzinfo=UTC)
    for step, (_, agency) in enumerate(ROUTE):
        for event_type in ("nomination.received", "nomination.deadline_set", "nomination.forwarded"):
            moment += timedelta(hours=5)
            events.append(
                {
                    "event_id": str(uuid.uuid4()),
                    "nomination_id": nomination_id,
                    "event_type": event_type,
                    "occurred_at": moment,
                    "agency_code": agency,
                    "step": step,
                    "actor": f"{agency}:chair",
                    "reason": "Đủ điều kiện" if event_type == "nomination.forwarded" else None,
                    "details": {},
                }  # fmt: skip
            )
    return events


async def run_console(args: argparse.Namespace, say) -> dict:  # type: ignore[no-untyped-def]
    folder = Path(tempfile.mkdtemp(prefix="tdkt-bench-console-"))
    url = f"sqlite+aiosqlite:///{folder}/district.db"
    say(f"migrating and seeding {url}")
    await migrate_async(Tier.DISTRICT, url)
    await seed(Tier.DISTRICT, url, officers=True)
    engine = make_engine(url)
    sessions = session_factory(engine)
    rng = random.Random(2025)
    rows = reviews(args.n, rng)
    say(f"inserting {args.n:,} reviews and a six-level timeline")
    async with sessions() as session, session.begin():
        connection = await session.connection()
        for start in range(0, len(rows), 5000):
            await connection.execute(insert(Review), rows[start : start + 5000])
        await connection.execute(insert(TrackingEntry), timeline(rows[1]["nomination_id"]))
    settings = ServiceSettings(tier=Tier.DISTRICT, database_url=url, business_date=TODAY)
    app = create_app(settings, title="bench", description="bench")
    app.state.kit = types.SimpleNamespace(settings=settings, engine=engine, sessions=sessions, nominations=None)
    token = demo_token(AGENCY, "chair")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        login = await client.post("/console/login", data={"username": token.lower(), "password": token})
        client.cookies.set(COOKIE, login.cookies[COOKIE])
        pages = {
            "inbox: first page (pending, by deadline)": "/console",
            "inbox: page 200": "/console?page=200",
            "inbox: search without diacritics 'nguyen thi lan'": "/console?q=nguyen+thi+lan",
            "inbox: award filter": "/console?award=CSTD_TINH",
            "inbox: overdue": "/console?due=overdue",
            "inbox: kind filter (collective)": "/console?kind=collective",
            "inbox: assigned to me": "/console?mine=1",
            "inbox: any status (every visit)": "/console?status=",
            "nomination page, six-level timeline": f"/console/nominations/{rows[1]['nomination_id']}",
        }
        results = {}
        for label, path in pages.items():
            for _ in range(5):  # warm-up
                assert (await client.get(path)).status_code == 200, path
            times = []
            for _ in range(args.requests):
                started = time.perf_counter()
                response = await client.get(path)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (path, response.status_code)
            times.sort()
            results[label] = {
                "p50": statistics.median(times),
                "p95": times[int(len(times) * 0.95) - 1],
                "max": times[-1],
                "n": len(times),
            }
    await engine.dispose()
    return {"n": args.n, "requests": args.requests, "pages": results}


def render(result: dict) -> str:
    lines = [
        f"(f) console over an inbox of {result['n']:,} reviews at {AGENCY} (SQLite), "
        f"{result['requests']} requests each",
        "",
        f"  {'page':<52} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}",
        "  " + "-" * 78,
    ]
    for label, t in result["pages"].items():
        lines.append(f"  {label:<52} {t['p50']:>8.1f} {t['p95']:>8.1f} {t['max']:>8.1f}")
    inbox = max(t["p95"] for label, t in result["pages"].items() if label.startswith("inbox"))
    page = result["pages"]["nomination page, six-level timeline"]["p95"]
    lines += [
        "",
        f"  targets: filtered inbox p95 ≤ 200 ms: worst {inbox:.1f} ms ({'met' if inbox <= 200 else 'NOT met'}); "
        f"nomination page p95 ≤ 300 ms: {page:.1f} ms ({'met' if page <= 300 else 'NOT met'})",
    ]
    return "\n".join(lines)
