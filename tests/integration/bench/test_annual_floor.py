"""The annual bench's floor runs its two designs on a real Temporal server and meters each."""

import os

from temporalio.client import Client

from bench.annual_floor import TEMPORAL, run_floor
from bench.report import BENCH, CpuMeter
from tests.conftest import SHARED_NAMESPACE


async def test_both_designs_drive_every_candidate_through_and_are_metered(temporal_address):
    client = await Client.connect(temporal_address, namespace=SHARED_NAMESPACE)
    meter = CpuMeter()
    meter.watch(TEMPORAL, os.getpid(), tree=False)  # the server is the suite's; this process stands in
    meter.watch(BENCH, os.getpid(), tree=False)
    per_awardee, per_batch = await run_floor(client, 5, 2, meter)
    assert (per_awardee.design, per_awardee.workflows, per_awardee.candidates) == ("per awardee", 5, 5)
    assert (per_batch.design, per_batch.workflows, per_batch.candidates) == ("per tờ trình of 2", 3, 5)
    assert per_awardee.sdk_cpu_s > 0 and per_awardee.per_candidate > 0 and per_batch.wall_s > 0
