"""`tdkt events replay-dead-letters --tier T [--since …]` asks T's service to replay, prints what it
did, and exits non-zero while some event still fails."""

from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from deploy import cli_client
from deploy.cli import app


@pytest.fixture(autouse=True)
def launcher_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    for tier in ("UNIT", "DISTRICT", "PROVINCE", "CENTRAL"):
        monkeypatch.delenv(f"TDKT_{tier}_URL", raising=False)


def answering(answer: dict[str, Any], seen: list[tuple[str, dict]]):  # type: ignore[no-untyped-def]
    def request(method: str, url: str, **kwargs: Any) -> httpx.Response:
        seen.append((f"{method} {url}", kwargs.get("params", {})))
        return httpx.Response(200, json=answer, request=httpx.Request(method, url))

    return request


def replayed(failed: list[dict[str, str]]) -> dict[str, Any]:
    return {"read": 3, "applied": ["e-1"], "already_applied": ["e-0"], "other_services": 1, "failed": failed}


def test_the_replay_goes_to_the_named_service_and_says_what_it_did(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, dict]] = []
    monkeypatch.setattr(cli_client.httpx, "request", answering(replayed([]), seen))
    args = ["--token", "t", "events", "replay-dead-letters", "--tier", "province", "--since", "2025-05-15T08:00+07:00"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert seen == [("POST http://127.0.0.1:8003/events/dead-letters/replay", {"since": "2025-05-15T08:00:00+07:00"})]
    assert "read 3 dead letters: 1 applied now, 1 applied before (skipped)" in result.output
    assert "applied e-1" in result.output


def test_an_event_still_failing_is_shown_and_the_command_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    failing = [{"event": "e-2", "error": "RuntimeError: still broken"}]
    monkeypatch.setattr(cli_client.httpx, "request", answering(replayed(failing), []))
    result = CliRunner().invoke(app, ["--token", "t", "events", "replay-dead-letters", "--tier", "central"])
    assert result.exit_code == 1 and "1 still failing" in result.output and "still broken" in result.output
