"""A tờ trình's decision repeated while the earlier one is still being recorded: the awardees it
counted as remaining are decided by the time it acts, so it answers 200 with nothing left, not a
409 for the whole request (seen in the annual round's bench with many tờ trình at once)."""

from datetime import UTC, date, datetime

import pytest
from temporalio.client import Client

from deploy.embedded import free_port
from services.kit.batches import deciding
from services.kit.nominations.models import Review
from services.kit.reviews.bulk import ItemResult
from services.kit.workflow_client import DecisionRejected, NominationClient
from shared.contracts.nomination import workflow_id_for
from shared.contracts.tiers import Tier
from shared.text import fold
from tests.helpers import auth
from workflows.nomination.validation import being_recorded

UNIT, NUMBER = "U91-0002", "9/TTr-U91-0002"
pytestmark = pytest.mark.parametrize("tier_http", ["sqlite"], indirect=True)


async def test_awardees_decided_meanwhile_end_the_repeated_request_with_nothing_left(tier_http, monkeypatch):
    # Nothing reaches the workflows here: the awardee is refused before (no Temporal listens there).
    nowhere = NominationClient(await Client.connect(f"127.0.0.1:{free_port()}", lazy=True))
    http, sessions = await tier_http(Tier.UNIT, business_date=date(2025, 5, 15), nominations=nowhere)
    async with sessions() as session, session.begin():
        session.add(
            Review(
                nomination_id="n-meanwhile",
                workflow_id=workflow_id_for("n-meanwhile"),
                agency_code=UNIT,
                step=0,
                status="conferred",  # recorded between the request's count and its act
                award_code="LAO_DONG_TIEN_TIEN",
                nominee_name="Lê Văn Tâm",
                nominee_search=fold("Lê Văn Tâm"),
                proposer_agency=UNIT,
                route=[{"tier": "unit", "agency_code": UNIT}],
                opened_at=datetime(2025, 5, 1, tzinfo=UTC),
                batch_no=NUMBER,
            )
        )
    counted = iter([["n-meanwhile"], []])  # what the request counted pending, then what remains

    async def pending_then(session, agency_code, batch_no):  # type: ignore[no-untyped-def]
        return next(counted)

    monkeypatch.setattr(deciding, "pending_awardees", pending_then)
    r = await http.post(
        "/decisions", headers=auth(UNIT, "chair"), json={"decision_no": "9/QĐ-U91-0002", "batch_no": NUMBER}
    )
    assert r.status_code == 200, r.text
    assert r.json()["remaining"] == 0
    [line] = r.json()["results"]
    assert line["conferred"] is False and "already conferred" in line["error"]


async def test_awardees_still_being_recorded_answer_with_what_remains_not_a_refusal(tier_http, monkeypatch):
    """The earlier request's update outlived the service's bound (it answered 503) and goes on being
    recorded: the repeated request is told how many remain, to ask again, not 409 for the tờ trình
    (three tờ trình of the round of 100,000 stopped on that 409)."""
    nowhere = NominationClient(await Client.connect(f"127.0.0.1:{free_port()}", lazy=True))
    http, sessions = await tier_http(Tier.UNIT, business_date=date(2025, 5, 15), nominations=nowhere)
    ids = ["n-recording-1", "n-recording-2"]
    counted = iter([ids, ids])  # pending here before the request acts, and after it

    async def pending(session, agency_code, batch_no):  # type: ignore[no-untyped-def]
        return next(counted)

    async def recording(sessions, workflow, *, bulk, **_):  # type: ignore[no-untyped-def]
        refusal = being_recorded()  # what the workflow answers each awardee, as DecisionRejected
        return [ItemResult(n, "Lê Văn Tâm", error=DecisionRejected(refusal.message, refusal.type)) for n in ids]

    monkeypatch.setattr(deciding, "pending_awardees", pending)
    monkeypatch.setattr(deciding, "act_on_many", recording)
    r = await http.post(
        "/decisions", headers=auth(UNIT, "chair"), json={"decision_no": "9/QĐ-U91-0002", "batch_no": NUMBER}
    )
    assert r.status_code == 200, r.text
    assert r.json()["remaining"] == 2
    assert all(not line["conferred"] and "being recorded" in line["error"] for line in r.json()["results"])
