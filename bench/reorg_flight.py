"""Scenario (c)'s nominations in flight: sampled from the legacy communes, started and partly
forwarded with the Temporal client (`bench/reorg.py` says why not through HTTP)."""

import asyncio
import random
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from typing import TypeVar

from temporalio.client import Client

from bench.report import error_key
from deploy.seed import registry_rows
from shared.contracts.nomination import DecisionInput, DocumentRef, NominationInput, workflow_id_for
from shared.contracts.tiers import NOMINATION_TASK_QUEUE, Tier
from shared.routing import AgencyNode, RoutingError, resolve_route
from shared.rules.catalog import Catalog, default_catalog
from shared.rules.dossier import required_documents
from workflows.nomination.workflows import NominationWorkflow

BEFORE = date(2025, 5, 15)
AWARDS = ("CSTD_CO_SO", "BANG_KHEN_TINH")
T = TypeVar("T")


def registry_on(on: date) -> dict[str, AgencyNode]:
    """The registry every service is seeded with, as it stands on `on`."""

    def day(value: date | str | None) -> date | None:
        return date.fromisoformat(value) if isinstance(value, str) else value

    found = {}
    for r in registry_rows():
        start, end = day(r["valid_from"]), day(r["valid_to"])
        if start is not None and start <= on and (end is None or end >= on):
            found[r["code"]] = AgencyNode(r["code"], r["name"], r["tier"], r["kind"], r["parent_code"])
    return found


def _province(nodes: dict[str, AgencyNode], code: str) -> str | None:
    node = nodes.get(code)
    while node is not None and node.tier != "province":
        node = nodes.get(node.parent_code or "")
    return node.code if node else None


def complete_dossier(catalog: Catalog, award: str, proposer: str) -> list[DocumentRef]:
    """A manifest with every document the award requires, so intake lets the nomination through."""
    return [
        DocumentRef(kind, proposer, f"bench-{kind}", f"{kind}.pdf", "0" * 64, 1)
        for kind in required_documents(catalog, award, "province")
    ]


def sample_nominations(n: int, rng: random.Random) -> tuple[list[NominationInput], set[str], int]:
    """N nominations from legacy communes, round-robin over the provinces, awards alternating.

    Returns them, the communes used and how many provinces those are in."""
    nodes, catalog = registry_on(BEFORE), default_catalog()
    by_province: dict[str, list[str]] = {}
    for node in nodes.values():
        if node.tier == "unit" and node.code.startswith("C") and node.kind in ("commune", "ward", "town"):
            by_province.setdefault(_province(nodes, node.code) or "?", []).append(node.code)
    for communes in by_province.values():
        rng.shuffle(communes)
    provinces = sorted(by_province)
    inputs: list[NominationInput] = []
    used: set[str] = set()
    i = 0
    while len(inputs) < n:
        communes = by_province[provinces[i % len(provinces)]]
        proposer = communes[(i // len(provinces)) % len(communes)]
        award = AWARDS[i % len(AWARDS)]
        i += 1
        try:
            plan = resolve_route(catalog, nodes.get, award_code=award, managing_agency=proposer, on=BEFORE)
        except RoutingError:
            continue
        inputs.append(
            NominationInput(
                nomination_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                award_code=award,
                nominee_name=f"Nguyễn Văn Bench {len(inputs):05d}",
                proposer_agency=proposer,
                submitted_by="bench",
                submitted_at=f"{BEFORE.isoformat()}T09:00:00+07:00",
                route=plan.steps,
                regime=plan.regime,
                documents=complete_dossier(catalog, award, proposer),
            )
        )
        used.add(proposer)
    return inputs, used, len({_province(nodes, c) for c in used})


async def gathered(
    items: Sequence[T], concurrency: int, one: Callable[[T], Awaitable[object]], errors: Counter, what: str
) -> None:
    """`one(item)` for every item, `concurrency` at a time; failures are counted in `errors`, not raised."""
    gate = asyncio.Semaphore(concurrency)

    async def bounded(item: T) -> None:
        async with gate:
            try:
                await one(item)
            except Exception as err:  # noqa: BLE001 - counted and shown
                errors[error_key(f"{what}: {type(err).__name__}: {err}")] += 1

    await asyncio.gather(*(bounded(i) for i in items))


async def put_in_flight(client: Client, inputs: list[NominationInput], concurrency: int, errors: Counter) -> None:
    async def start(n: NominationInput) -> None:
        await client.start_workflow(
            NominationWorkflow.run, n, id=workflow_id_for(n.nomination_id), task_queue=NOMINATION_TASK_QUEUE
        )

    await gathered(inputs, concurrency, start, errors, "start NominationWorkflow")


async def forward_to_district(client: Client, inputs: list[NominationInput], concurrency: int, errors: Counter) -> None:
    async def forward(n: NominationInput) -> None:
        handle = client.get_workflow_handle_for(NominationWorkflow.run, workflow_id_for(n.nomination_id))
        await handle.execute_update(
            NominationWorkflow.decide,
            DecisionInput(
                action="forward",
                agency_code=n.proposer_agency,
                tier=Tier.UNIT.value,
                officer_id="bench-chair",
                officer_role="chair",
                reason="Đủ điều kiện (benchmark)",
            ),
        )

    await gathered(inputs, concurrency, forward, errors, "decide (forward) update")
