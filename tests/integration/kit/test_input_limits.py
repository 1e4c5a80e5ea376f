"""Bad input is refused early and briefly: bodies over the limit before they are parsed, errors that
never echo the input, empty documents, file names made safe on the way in."""

import hashlib
import unicodedata
from collections.abc import AsyncIterator
from datetime import date

import pytest

from services.kit.limits import MAX_BODY_BYTES
from shared.contracts.tiers import Tier
from tests.helpers import auth, document
from tests.integration.kit.test_dossier import SCHOOL, TODAY, draft_with

pytestmark = pytest.mark.parametrize("tier_http", ["sqlite"], indirect=True)  # HTTP's edge, not the database's


async def test_a_body_over_the_limit_is_refused_before_it_is_read(tier_http):
    client, _ = await tier_http(Tier.UNIT, business_date=TODAY)
    declared = await client.post(
        "/nominations",
        headers={**auth(SCHOOL, "clerk"), "content-type": "application/json"},
        content=b"{" + b" " * (MAX_BODY_BYTES + 1) + b"}",
    )
    assert declared.status_code == 413 and len(declared.content) < 200, declared.text[:200]
    assert "MiB" in declared.json()["detail"]

    sent = 0

    async def streamed() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        nonlocal sent
        for _ in range(100):
            sent += 1
            yield b" " * (1024 * 1024)

    chunked = await client.post(
        "/nominations", headers={**auth(SCHOOL, "clerk"), "content-type": "application/json"}, content=streamed()
    )
    assert chunked.status_code == 413
    assert sent < 100 * 0.5, f"read {sent} MiB of 100 before refusing"


async def test_a_refusal_never_echoes_the_input(tier_http):
    client, _ = await tier_http(Tier.UNIT, business_date=TODAY)
    huge = "Nguyễn " * 700_000  # ~5 MB
    r = await client.post(
        "/nominations",
        headers=auth(SCHOOL, "clerk"),
        json={"nominee_name": huge, "award_code": "HCLD_HANG_BA", "reason": "x"},
    )
    assert r.status_code == 422 and len(r.content) < 2_000, len(r.content)
    assert "nominee_name" in r.json()["detail"]


async def test_an_empty_document_is_refused_and_file_names_are_stored_safe(tier_http):
    client, _ = await tier_http(Tier.UNIT, business_date=date(2025, 6, 2))
    nomination_id, _ = await draft_with(client, [])
    empty = {**document(), "content_base64": "", "sha256": hashlib.sha256(b"").hexdigest()}
    r = await client.post(f"/nominations/{nomination_id}/documents", headers=auth(SCHOOL, "clerk"), json=empty)
    assert r.status_code == 422 and "0 bytes" in r.json()["detail"], r.text

    for given, stored in (
        ("../../../../etc/passwd", "passwd"),
        (unicodedata.normalize("NFD", "Tờ trình\x00.txt"), "Tờ trình.txt"),
    ):
        r = await client.post(
            f"/nominations/{nomination_id}/documents",
            headers=auth(SCHOOL, "clerk"),
            json={**document(), "filename": given},
        )
        assert r.status_code == 201 and r.json()["filename"] == stored, r.text
    nothing = {**document(), "filename": "../.."}
    r = await client.post(f"/nominations/{nomination_id}/documents", headers=auth(SCHOOL, "clerk"), json=nothing)
    assert r.status_code == 422 and "tên tệp" in r.json()["detail"]


async def test_public_routes_and_logins_are_rate_limited_and_answers_carry_security_headers(tier_http):
    client, _ = await tier_http(Tier.UNIT)
    comment = {"author_name": "Dân", "text": "Thử"}
    answers = [
        (await client.post("/public/consultations/khong-co/comments", json=comment)).status_code for _ in range(6)
    ]
    assert answers[:5] == [404] * 5 and answers[5] == 429
    refused = await client.post("/public/consultations/khong-co/comments", json=comment)
    assert refused.headers["Retry-After"] == "60" and "hãy thử lại" in refused.json()["detail"]
    assert (await client.get("/catalog/people")).status_code == 200  # other routes are not counted
    logins = [
        (await client.post("/auth/login", json={"username": "ai.do", "password": "sai"})).status_code for _ in range(21)
    ]
    assert logins[:20] == [401] * 20 and logins[20] == 429
    page = await client.get("/console/login")
    assert (
        page.headers["X-Frame-Options"] == "DENY"
        and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    )
    assert (await client.get("/health")).headers["X-Content-Type-Options"] == "nosniff"
