"""The workflow worker's own settings reach the Temporal worker it builds."""

from typing import Any

import pytest

from workflows import worker as module
from workflows.worker import WorkerSettings, build_worker


class _Recorded:
    def __init__(self, client: object, **options: Any) -> None:
        self.options = options


def test_the_worker_keeps_in_memory_as_many_workflows_as_its_settings_say(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over the cache, every task of a round cycling through its tờ trình replays a whole history:
    the default holds more BatchWorkflows than the SDK's 1,000 (decision 0048)."""
    monkeypatch.setattr(module, "Worker", _Recorded)
    assert build_worker(object()).options["max_cached_workflows"] == 4_000  # type: ignore[arg-type, attr-defined]
    monkeypatch.setenv("MAX_CACHED_WORKFLOWS", "2500")
    assert build_worker(object(), WorkerSettings()).options["max_cached_workflows"] == 2_500  # type: ignore[arg-type, attr-defined]


def test_a_cache_too_small_for_a_round_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_CACHED_WORKFLOWS", "10")
    with pytest.raises(ValueError, match="max_cached_workflows"):
        WorkerSettings()
