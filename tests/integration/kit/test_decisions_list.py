"""An agency's conferral decisions: each conferred review keeps its decision's number and day
(migration 0038, which gives reviews conferred before it what their audit records hold), a decision's
awardees are read by that number, and the agency's decisions are listed, on the API and the console."""

import asyncio
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic import command
from sqlmodel import col, select

from services.kit.migrate import alembic_config, migrate_async
from services.kit.nominations.models import Review
from shared.contracts.tiers import Tier
from shared.platform.audit import append_audit
from shared.platform.db import make_engine, session_factory
from shared.text import fold
from tests.conftest import database_url
from tests.helpers import auth
from tests.integration.kit.test_console_inbox import logged_in

DISTRICT, SCHOOL = "D903", "U91-0001"
START = datetime(2025, 5, 15, 2, tzinfo=UTC)


def conferred(  # type: ignore[no-untyped-def]
    nomination_id: str, name: str, agency: str = DISTRICT, status: str = "conferred", at: datetime = START, **extra
) -> Review:
    route = [{"tier": "unit", "agency_code": SCHOOL}, {"tier": "district", "agency_code": agency}]
    return Review(
        nomination_id=nomination_id, workflow_id=f"nomination-{nomination_id}", agency_code=agency, step=1,
        status=status, award_code="LAO_DONG_TIEN_TIEN", nominee_name=name, nominee_search=fold(name),
        proposer_agency=SCHOOL, route=route, opened_at=START, decided_at=at, **extra,
    )  # fmt: skip


async def audited(session, nomination_id: str, agency: str, details: dict) -> None:  # type: ignore[no-untyped-def]
    await append_audit(
        session, idempotency_key=f"confer-{nomination_id}-{agency}", at=START, agency_code=agency,
        nomination_id=nomination_id, actor=f"{agency}:chair", action="decision.confer", outcome="conferred",
        details=details,
    )  # fmt: skip


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_reviews_conferred_before_the_migration_get_their_decisions_number_and_day(backend, tmp_path, postgres):
    url = await database_url(backend, postgres if backend == "postgres" else None, tmp_path, "district")
    await migrate_async(Tier.DISTRICT, url)
    engine = make_engine(url)
    try:
        async with session_factory(engine)() as session, session.begin():
            session.add_all([conferred("n-1", "Lê Văn An"), conferred("n-2", "Mai Thị Hoa")])
            session.add(conferred("n-1", "Lê Văn An", agency="D902", status="forwarded", visit=2))  # another level
            await audited(session, "n-1", DISTRICT, {"decision_no": "7/QĐ-UBND", "decided_on": "2025-05-15"})
            await audited(session, "n-2", DISTRICT, {})  # recorded before decisions carried their number
        await engine.dispose()
        await asyncio.to_thread(command.downgrade, alembic_config(url), "0037_checkpoint_frontier")
        await migrate_async(Tier.DISTRICT, url)
        async with session_factory(engine)() as session:
            rows = (
                await session.exec(select(Review).order_by(col(Review.nomination_id), col(Review.agency_code)))
            ).all()
            found = {(r.nomination_id, r.agency_code): (r.decision_no, r.decided_on) for r in rows}
        assert found == {
            ("n-1", DISTRICT): ("7/QĐ-UBND", date(2025, 5, 15)),
            ("n-1", "D902"): (None, None),
            ("n-2", DISTRICT): (None, None),
        }
    finally:
        await engine.dispose()


@pytest.mark.parametrize("tier_http", ["sqlite"], indirect=True)
async def test_the_agencys_decisions_are_listed_and_each_lists_only_its_own_awardees(tier_http):
    client, sessions = await tier_http(Tier.DISTRICT, business_date=date(2025, 5, 15))
    async with sessions() as session, session.begin():
        for i, (name, number) in enumerate(
            [("Lê Văn An", "7/QĐ-UBND"), ("Mai Thị Hoa", "7/QĐ-UBND"), ("Đỗ Văn Bình", "9/QĐ-UBND")]
        ):
            day = date(2025, 5, 15 + i)
            session.add(conferred(f"n-{i}", name, at=START + timedelta(days=i), decision_no=number, decided_on=day))
        session.add(conferred("n-other", "Phan Văn Tâm", agency="D902", decision_no="7/QĐ-UBND"))  # not ours
    chair = auth(DISTRICT, "chair")
    listed = await client.get("/decisions", headers=chair)
    assert listed.status_code == 200, listed.text
    assert listed.json() == {
        "total": 2, "page": 1, "pages": 1,
        "decisions": [  # the latest recorded first
            {"decision_no": "9/QĐ-UBND", "decided_on": "2025-05-17", "awardees": 1},
            {"decision_no": "7/QĐ-UBND", "decided_on": "2025-05-15", "awardees": 2},
        ],
    }  # fmt: skip
    one = (await client.get("/decisions/7/QĐ-UBND", headers=chair)).json()
    assert [a["nominee_name"] for a in one["awardees"]] == ["Lê Văn An", "Mai Thị Hoa"]
    assert (await client.get("/decisions", headers=chair, params={"page": 0})).status_code == 422
    assert (await client.get("/decisions")).status_code == 401

    await logged_in(client, "clerk")  # any officer of the agency reads its decisions
    page = (await client.get("/console/decisions")).text
    assert "Các quyết định khen thưởng của cơ quan" in page and "2 quyết định" in page
    assert '<a href="/console/decisions?number=9/Q%C4%90-UBND">9/QĐ-UBND</a>' in page
    assert "17/05/2025" in page and "Phan Văn Tâm" not in page
    assert 'href="/console/decisions">Quyết định</a>' in page  # in the menu
