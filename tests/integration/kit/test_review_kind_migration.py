"""Migration 0016: old reviews get their nominee's kind only where it is known."""

import asyncio
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import text

from services.kit.migrate import alembic_config, migrate_async
from shared.contracts.tiers import Tier
from shared.platform.db import make_engine
from tests.conftest import database_url

REVIEW = (
    "insert into review (nomination_id, workflow_id, agency_code, step, visit, status, award_code, nominee_name, "
    "nominee_search, proposer_agency, route, opened_at, held, documents) values (:n, :n, 'U91-0001', 0, 1, "
    "'pending', :award, 'X', 'x', 'U91-0001', '[]', :at, false, '[]')"
)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_old_reviews_get_the_kind_from_the_nomination_or_a_one_kind_award_else_none(backend, tmp_path, postgres):
    url = await database_url(backend, postgres if backend == "postgres" else None, tmp_path, "unit")
    await migrate_async(Tier.UNIT, url)
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0015_document_bytes")
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            at = datetime.now(UTC)
            await conn.execute(
                text(
                    "insert into nomination (id, proposer_agency, nominee_name, nominee_kind, award_code, reason, "
                    "status, created_by, created_at, route, initiative_ids, mode) values ('own', 'U91-0001', 'Tổ "
                    "Toán', 'collective', 'BANG_KHEN_TINH', 'r', 'in_review', 'c', :at, '[]', '[]', 'cong_trang')"
                ),
                {"at": at},
            )
            for nomination_id, award in (("own", "BANG_KHEN_TINH"), ("title", "CSTD_TINH"), ("any", "GIAY_KHEN")):
                await conn.execute(text(REVIEW), {"n": nomination_id, "award": award, "at": at})
        await engine.dispose()
        await migrate_async(Tier.UNIT, url)
        async with engine.connect() as conn:
            kinds = dict((await conn.execute(text("select nomination_id, nominee_kind from review"))).all())
        # The proposer's own row says; CSTĐ cấp tỉnh is for individuals only; a Giấy khen could be either.
        assert kinds == {"own": "collective", "title": "individual", "any": None}
    finally:
        await engine.dispose()
