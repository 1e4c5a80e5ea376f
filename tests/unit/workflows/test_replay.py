"""Workflow code must replay the histories of runs that may still be in flight.

`tests/replay/*.json` are histories recorded from real runs (regenerate one with
`TDKT_RECORD_HISTORIES=1 pytest tests/e2e/test_reorganization.py`, and keep the old files: they
are what running workflows look like). A change to `NominationWorkflow` that would make one of them
fail needs `workflow.patched`.
"""

import asyncio
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from workflows.nomination.workflows import NominationWorkflow
from workflows.reorganization.workflows import ReorganizationWorkflow

HISTORIES = sorted((Path(__file__).parents[2] / "replay").glob("*.json"))


def test_there_are_recorded_histories():
    assert HISTORIES, "tests/replay/ has no recorded workflow histories"


@pytest.mark.parametrize("path", HISTORIES, ids=[p.stem for p in HISTORIES])
async def test_current_code_replays_recorded_history(path: Path):
    history = WorkflowHistory.from_json(path.stem, await asyncio.to_thread(path.read_text, encoding="utf-8"))
    result = await Replayer(workflows=[NominationWorkflow, ReorganizationWorkflow]).replay_workflow(
        history, raise_on_replay_failure=False
    )
    assert result.replay_failure is None, f"{path.name} no longer replays: {result.replay_failure}"
