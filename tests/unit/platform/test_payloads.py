"""tdkt's payload converter writes the SDK's JSON byte for byte, without deep-copying a dataclass
first (decision 0048), and both the services and the workflow worker connect with it."""

import dataclasses
from typing import Any

import pytest
from temporalio.converter import DataConverter

from services.kit import temporal_calls
from shared.contracts.batch import BatchInput
from shared.contracts.nomination import Carried, DocumentRef, HistoryEntry, NominationInput, RouteStep
from shared.platform.payloads import DATA_CONVERTER
from workflows import worker

VERDICT = {
    "outcome": "incomplete",
    "criteria": [
        {"code": "lddt.rating", "description": "Hoàn thành tốt nhiệm vụ trở lên", "evidence": ["Chưa có hồ sơ"]},
        {"code": "general.hold", "status": "met", "configurable": False, "evidence": []},
    ],
    "rulesets": ["national"],
    "year": 2024,
}


def _tờ_trình() -> BatchInput:
    awardee = NominationInput(
        nomination_id="n-1",
        award_code="LAO_DONG_TIEN_TIEN",
        nominee_name="Nguyễn Thị Lan",
        proposer_agency="U91-0001",
        submitted_by="U91-0001:clerk",
        submitted_at="2026-12-05T08:00:00+07:00",
        route=[RouteStep("unit", "U91-0001", role="proposes"), RouteStep("district", "D903", True, "confers")],
        eligibility=VERDICT,
        documents=[DocumentRef("to_trinh", "U91-0001", "d-1", "tờ trình.pdf", "ab" * 32, 38)],
        carried=Carried(
            step=1, visits=[[0, 1], [1, 1]], history=[HistoryEntry(0, "U91-0001", "forward", "c", "t")], transfers={}
        ),
        batch_no="1/TTr-U91-0001",
    )
    return BatchInput("1/TTr-U91-0001", [awardee, dataclasses.replace(awardee, nomination_id="n-2")])


def test_the_payload_is_the_sdks_byte_for_byte_and_reads_back_the_same() -> None:
    value = _tờ_trình()
    ours = DATA_CONVERTER.payload_converter.to_payloads([value])
    assert ours == DataConverter.default.payload_converter.to_payloads([value])
    assert DATA_CONVERTER.payload_converter.from_payloads(ours, [BatchInput]) == [value]


def test_a_dataclass_is_not_deep_copied_on_its_way_to_json(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*_: Any, **__: Any) -> None:
        raise AssertionError("dataclasses.asdict deep-copies every nested dict and list")

    monkeypatch.setattr(dataclasses, "asdict", refused)
    assert DATA_CONVERTER.payload_converter.to_payloads([_tờ_trình()])


async def test_the_services_and_the_worker_connect_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []

    class Connected(Exception):
        pass

    async def connect(address: str, **options: Any) -> None:
        seen.append(options["data_converter"])
        raise Connected

    monkeypatch.setattr(temporal_calls.Client, "connect", connect)
    monkeypatch.setattr(worker.Client, "connect", connect)
    with pytest.raises(Connected):
        await temporal_calls.connect_when_up("127.0.0.1:7233", "default")
    with pytest.raises(Connected):
        await worker.main(worker.WorkerSettings())
    assert seen == [DATA_CONVERTER, DATA_CONVERTER]
