"""Migration 0015: documents' rows keep metadata only; going back refuses to lose bytes."""

import asyncio
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import text

from services.kit.migrate import alembic_config, migrate_async
from shared.contracts.tiers import Tier
from shared.platform.db import make_engine
from tests.conftest import database_url

ROW = {
    "id": "minutes-1",
    "nomination_id": "n-1",
    "agency_code": "U91-0001",
    "kind": "bien_ban_hoi_dong",
    "filename": "bien_ban.txt",
    "content_type": "text/plain",
    "size": 3,
    "sha256": "0" * 64,
    "uploaded_by": "U91-0001:clerk",
}


async def downgrade(url: str) -> None:
    await asyncio.to_thread(command.downgrade, alembic_config(url), "0014_review_documents")


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_rows_without_bytes_block_the_downgrade_until_their_bytes_are_back(backend, tmp_path, postgres):
    url = await database_url(backend, postgres if backend == "postgres" else None, tmp_path, "unit")
    await migrate_async(Tier.UNIT, url)
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "insert into level_document (id, nomination_id, agency_code, kind, filename, content_type, "
                    "size, sha256, uploaded_at, uploaded_by) values (:id, :nomination_id, :agency_code, :kind, "
                    ":filename, :content_type, :size, :sha256, :at, :uploaded_by)"
                ),
                {**ROW, "at": datetime.now(UTC)},
            )
        await engine.dispose()
        with pytest.raises(RuntimeError, match="1 level_document rows keep their bytes in the object store only"):
            await downgrade(url)

        async with engine.begin() as conn:
            await conn.execute(text("update level_document set content = :c"), {"c": b"abc"})
        await engine.dispose()
        await downgrade(url)
        async with engine.connect() as conn:
            assert (await conn.execute(text("select content from level_document"))).scalar() == b"abc"
        await engine.dispose()
        await migrate_async(Tier.UNIT, url)  # and up again
    finally:
        await engine.dispose()
