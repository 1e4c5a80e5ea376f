"""`tdkt nominees erase ID --basis B --reason R` asks for confirmation, sends the erasure to the
officer's service and says what it erased, or that nothing was left (decision 0040)."""

from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from deploy import cli_client
from deploy.cli import app

ERASE = ["--token", "t", "--tier", "unit", "nominees", "erase", "CCCD:091000000777", "--basis", "subject_request"]
REASON = ["--reason", "Đơn số 12/ĐN ngày 02/03/2026"]


@pytest.fixture(autouse=True)
def launcher_ports(monkeypatch: pytest.MonkeyPatch) -> None:
    for tier in ("UNIT", "DISTRICT", "PROVINCE", "CENTRAL"):
        monkeypatch.delenv(f"TDKT_{tier}_URL", raising=False)


def answering(answer: dict[str, Any], seen: list[tuple[str, Any]]):  # type: ignore[no-untyped-def]
    def request(method: str, url: str, **kwargs: Any) -> httpx.Response:
        seen.append((f"{method} {url}", kwargs.get("json")))
        return httpx.Response(200, json=answer, request=httpx.Request(method, url))

    return request


def erased(values: int) -> dict[str, Any]:
    return {
        "nominee_id": "CCCD:091000000777", "erased_values": values, "fields": ["sex", "ethnicity"],
        "basis": "subject_request", "erased_at": "2026-03-02T08:00:00Z", "already_erased": values == 0,
    }  # fmt: skip


def test_the_erasure_is_confirmed_sent_and_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, Any]] = []
    monkeypatch.setattr(cli_client.httpx, "request", answering(erased(7), seen))
    declined = CliRunner().invoke(app, [*ERASE, *REASON], input="n\n")
    assert declined.exit_code == 1 and seen == []  # nothing sent without a yes
    done = CliRunner().invoke(app, [*ERASE, *REASON], input="y\n")
    assert done.exit_code == 0, done.output
    assert seen == [
        (
            "POST http://127.0.0.1:8001/nominees/CCCD:091000000777/erasure",
            {"basis": "subject_request", "reason": "Đơn số 12/ĐN ngày 02/03/2026"},
        )
    ]
    assert "erased 7 stored values of CCCD:091000000777 (sex, ethnicity)" in done.output


def test_a_second_erasure_says_nothing_was_left(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_client.httpx, "request", answering(erased(0), []))
    again = CliRunner().invoke(app, [*ERASE, *REASON, "--yes"])
    assert again.exit_code == 0 and "nothing left to erase" in again.output, again.output
