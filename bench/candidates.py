"""Scenario (g): importing candidates for the base titles into a tờ trình, `python -m bench candidates`.

One unit service's database (SQLite, migrated and seeded as `make run` does), in process through its
HTTP interface (httpx's ASGI transport): a CSV of N candidates (default 5,000; LĐTT, CSTĐCS and one
TTLĐTT) is checked and imported into a tờ trình, then one document is attached to every draft.
Printed: the time of the dry run (every row checked, nothing created), of the import (checked again,
every draft created in one transaction), and of the attachment, each once and after a warm-up file.
"""

import argparse
import base64
import csv
import hashlib
import io
import tempfile
import time
import types
from pathlib import Path

import httpx

from deploy.demo_data import demo_token
from deploy.seed import seed
from services.kit.app import create_app
from services.kit.migrate import migrate_async
from shared.contracts.tiers import Tier
from shared.platform import blobs
from shared.platform.db import make_engine, session_factory
from shared.platform.settings import ServiceSettings

HEADER = ["Họ tên / tên tập thể", "Cá nhân hay tập thể", "Danh hiệu đề nghị", "Thành tích", "Năm"]
TITLES = ["Lao động tiên tiến", "Chiến sĩ thi đua cơ sở"]


def parse(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench candidates", description=__doc__)
    p.add_argument("--n", type=int, default=5_000, help="candidates in the file (default 5,000)")
    return p.parse_args(argv)


def upload(n: int, *, dry_run: bool, prefix: str) -> dict:
    text = io.StringIO()
    rows = [[f"{prefix} {i:05d}", "Cá nhân", TITLES[i % 2], "Hoàn thành tốt nhiệm vụ", "2024"] for i in range(n - 1)]
    csv.writer(text).writerows(
        [HEADER, *rows, [f"Tổ {prefix}", "Tập thể", "Tập thể lao động tiên tiến", "Tốt", "2024"]]
    )
    content = base64.b64encode(text.getvalue().encode()).decode()
    return {"filename": "ung_vien.csv", "content_base64": content, "dry_run": dry_run}


async def timed(client: httpx.AsyncClient, path: str, body: dict, headers: dict) -> float:
    started = time.perf_counter()
    answer = await client.post(path, json=body, headers=headers)
    assert answer.is_success, answer.text[:500]
    return time.perf_counter() - started


async def run_candidates(args: argparse.Namespace, say) -> dict:  # type: ignore[no-untyped-def]
    folder = Path(tempfile.mkdtemp(prefix="tdkt-bench-candidates-"))
    url = f"sqlite+aiosqlite:///{folder / 'unit.db'}"
    await migrate_async(Tier.UNIT, url)
    await seed(Tier.UNIT, url, officers=True)
    engine = make_engine(url)
    settings = ServiceSettings(tier=Tier.UNIT, database_url=url, object_store_url=f"file://{folder / 'objects'}")
    blobs.use_store(settings.object_store_url)
    app = create_app(settings, title="bench", description="bench")
    app.state.kit = types.SimpleNamespace(
        settings=settings, engine=engine, sessions=session_factory(engine), nominations=None
    )
    clerk = {"Authorization": f"Bearer {demo_token('U91-0001', 'clerk')}"}
    text = "Tờ trình đề nghị công nhận danh hiệu".encode()
    doc = {"kind": "to_trinh", "filename": "to_trinh.txt", "content_type": "text/plain",
           "content_base64": base64.b64encode(text).decode(), "sha256": hashlib.sha256(text).hexdigest()}  # fmt: skip
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        warm = (await client.post("/batches", headers=clerk, json={"number": "0/TTr", "title": "warm-up"})).json()
        await timed(client, f"/batches/{warm['id']}/import", upload(200, dry_run=False, prefix="Khởi động"), clerk)
        batch = (await client.post("/batches", headers=clerk, json={"number": "1/TTr", "title": "bench"})).json()
        path = f"/batches/{batch['id']}"
        say(f"importing {args.n:,} candidates")
        checked = upload(args.n, dry_run=True, prefix="Nguyễn Văn")
        applied = upload(args.n, dry_run=False, prefix="Nguyễn Văn")
        result = {
            "n": args.n,
            "dry run (check every row)": await timed(client, f"{path}/import", checked, clerk),
            "import (check, create every draft)": await timed(client, f"{path}/import", applied, clerk),
            "attach one document to every draft": await timed(client, f"{path}/documents", doc, clerk),
        }
    await engine.dispose()
    return result


def render(result: dict) -> str:
    lines = [f"Candidates import, {result['n']:,} rows, SQLite, in process:"]
    lines += [f"  {label:<40} {seconds:7.2f} s" for label, seconds in result.items() if label != "n"]
    return "\n".join(lines)
