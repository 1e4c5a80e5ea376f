"""The dossier through HTTP: documents frozen at submission, alterations found, level documents, supplements."""

import base64
import hashlib
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import text

from services.kit.dossier.service import latest_freeze, level_manifest, supplement_manifest, verify_documents
from services.kit.identity.models import Officer
from services.kit.nominations.models import Review
from shared.contracts.nomination import DocumentRef, NominationInput
from shared.contracts.tiers import Tier
from shared.platform import blobs
from tests.helpers import add_officer, auth, document

SCHOOL, OTHER_SCHOOL, THIRD_SCHOOL = "U91-0001", "U91-0002", "U91-0003"
TODAY = date(2025, 6, 2)  # before the district level closed: the demo school still has a route


class RecordingWorkflows:
    """Stands in for Temporal: keeps what the submission would have started the workflow with."""

    together = False  # one workflow per awardee

    def __init__(self) -> None:
        self.started: list[NominationInput] = []

    @property
    def many(self) -> Any:  # work on many goes through the same port
        return self

    async def start(self, nomination: NominationInput) -> str:
        self.started.append(nomination)
        return f"nomination-{nomination.nomination_id}"


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


async def draft_with(client, kinds: list[str]) -> tuple[str, dict[str, dict]]:  # type: ignore[no-untyped-def]
    r = await client.post(
        "/nominations",
        headers=auth(SCHOOL, "clerk"),
        json={"nominee_name": "Nguyễn Thị Lan", "award_code": "HCLD_HANG_BA", "reason": "Thành tích xuất sắc"},
    )
    assert r.status_code == 201, r.text
    nomination_id = r.json()["id"]
    attached = {}
    for kind in kinds:
        r = await client.post(
            f"/nominations/{nomination_id}/documents",
            headers=auth(SCHOOL, "clerk"),
            json=document(kind, f"{kind} của trường"),
        )
        assert r.status_code == 201, r.text
        attached[kind] = r.json()
    return nomination_id, attached


async def set_status(sessions, nomination_id: str, status: str) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        await session.execute(
            text("update nomination set status = :s where id = :id"), {"s": status, "id": nomination_id}
        )


async def test_a_document_altered_after_submission_is_flagged_and_the_others_stay_intact(tier_http, tmp_path):
    workflows = RecordingWorkflows()
    client, sessions = await tier_http(Tier.UNIT, business_date=TODAY, nominations=workflows)
    nomination_id, attached = await draft_with(client, ["to_trinh", "bao_cao_thanh_tich", "bien_ban_hoi_dong"])

    r = await client.get(f"/nominations/{nomination_id}/documents/verify", headers=auth(SCHOOL, "clerk"))
    assert r.status_code == 409 and "frozen" in r.json()["detail"], r.text

    r = await client.post(f"/nominations/{nomination_id}/submit", headers=auth(SCHOOL, "clerk"))
    assert r.status_code == 202, r.text
    # The workflow carries the manifest: every proposer document, by id and checksum.
    (started,) = workflows.started
    assert [(d.kind, d.document_id, d.sha256, d.agency_code) for d in started.documents] == [
        (kind, doc["id"], doc["sha256"], SCHOOL) for kind, doc in attached.items()
    ]

    r = await client.get(f"/nominations/{nomination_id}/documents/verify", headers=auth(SCHOOL, "clerk"))
    assert r.status_code == 200, r.text
    assert r.json()["intact"] is True and r.json()["frozen"]["freeze"] == 1
    assert [d["status"] for d in r.json()["documents"]] == ["intact"] * 3

    # The database keeps metadata only: the bytes are in the object store, under their SHA-256.
    async with sessions() as session:
        kept = await session.execute(text("select count(*) from document where content is not null"))
        assert kept.scalar() == 0

    # Someone with access to the object store swaps the achievement report's bytes.
    report = attached["bao_cao_thanh_tich"]
    forged = "Báo cáo thành tích (đã sửa)".encode()
    (tmp_path / "objects" / blobs.key_of(report["sha256"])).write_bytes(forged)

    r = await client.get(f"/nominations/{nomination_id}/documents/verify", headers=auth(SCHOOL, "chair"))
    body = r.json()
    assert r.status_code == 200 and body["intact"] is False, r.text
    assert {d["document_id"]: d["status"] for d in body["documents"]} == {
        attached["to_trinh"]["id"]: "intact",
        report["id"]: "altered",
        attached["bien_ban_hoi_dong"]["id"]: "intact",
    }
    (altered,) = [d for d in body["documents"] if d["status"] == "altered"]
    assert (altered["kind"], altered["manifest_sha256"], altered["actual_sha256"]) == (
        "bao_cao_thanh_tich",
        report["sha256"],
        sha(forged),
    )

    # The proposer's record stays private to it; an auditor of this service may check it.
    r = await client.get(f"/nominations/{nomination_id}/documents/verify", headers=auth(OTHER_SCHOOL, "chair"))
    assert r.status_code == 404, r.text
    async with sessions() as session, session.begin():
        await add_officer(
            session,
            Officer(
                id=f"{OTHER_SCHOOL}:auditor",
                agency_code=OTHER_SCHOOL,
                name="Kiểm tra viên",
                role="auditor",
            ),
            f"demo-{OTHER_SCHOOL}-auditor",
        )
    r = await client.get(f"/nominations/{nomination_id}/documents/verify", headers=auth(OTHER_SCHOOL, "auditor"))
    assert r.status_code == 200 and r.json()["intact"] is False, r.text


async def test_a_deleted_document_is_missing_and_an_edited_freeze_record_is_caught(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=TODAY, nominations=RecordingWorkflows())
    nomination_id, attached = await draft_with(client, ["to_trinh", "bao_cao_thanh_tich"])
    assert (await client.post(f"/nominations/{nomination_id}/submit", headers=auth(SCHOOL, "clerk"))).status_code == 202

    async with sessions() as session, session.begin():
        await session.execute(text("delete from document where id = :id"), {"id": attached["to_trinh"]["id"]})
    body = (await client.get(f"/nominations/{nomination_id}/documents/verify", headers=auth(SCHOOL, "clerk"))).json()
    assert body["intact"] is False
    assert [(d["kind"], d["status"]) for d in body["documents"]] == [
        ("to_trinh", "missing"),
        ("bao_cao_thanh_tich", "intact"),
    ]

    # Rewriting the frozen manifest to hide the deletion breaks the record's own hash.
    async with sessions() as session, session.begin():
        record = await latest_freeze(session, nomination_id)
        assert record is not None
        details = {**record.details, "documents": record.details["documents"][1:]}
        record.details = details
        session.add(record)
    body = (await client.get(f"/nominations/{nomination_id}/documents/verify", headers=auth(SCHOOL, "clerk"))).json()
    assert body["frozen"]["record_intact"] is False and body["intact"] is False
    assert [d["status"] for d in body["documents"]] == ["intact"]


async def test_bytes_gone_from_the_store_are_missing_and_older_rows_are_read_from_the_database(tier_http, tmp_path):
    client, sessions = await tier_http(Tier.UNIT, business_date=TODAY, nominations=RecordingWorkflows())
    nomination_id, attached = await draft_with(client, ["to_trinh", "bao_cao_thanh_tich"])
    assert (await client.post(f"/nominations/{nomination_id}/submit", headers=auth(SCHOOL, "clerk"))).status_code == 202
    to_trinh, report = attached["to_trinh"], attached["bao_cao_thanh_tich"]
    content_url = f"/nominations/{nomination_id}/documents/{{}}/content"

    # The tờ trình's object is deleted from the store: verification and reading both say so.
    (tmp_path / "objects" / blobs.key_of(to_trinh["sha256"])).unlink()
    body = (await client.get(f"/nominations/{nomination_id}/documents/verify", headers=auth(SCHOOL, "clerk"))).json()
    assert [(d["kind"], d["status"]) for d in body["documents"]] == [
        ("to_trinh", "missing"),
        ("bao_cao_thanh_tich", "intact"),
    ]
    assert "not in the object store" in body["documents"][0]["detail"]
    r = await client.get(content_url.format(to_trinh["id"]), headers=auth(SCHOOL, "clerk"))
    assert r.status_code == 404 and "upload it again" in r.json()["detail"], r.text

    # A row from before the object store (migration 0015) still holds its bytes: they are served.
    original = document("to_trinh", "to_trinh của trường")
    async with sessions() as session, session.begin():
        await session.execute(
            text("update document set content = :c where id = :id"),
            {"c": base64.b64decode(original["content_base64"]), "id": to_trinh["id"]},
        )
    r = await client.get(content_url.format(to_trinh["id"]), headers=auth(SCHOOL, "clerk"))
    assert r.status_code == 200 and base64.b64encode(r.content).decode() == original["content_base64"], r.text
    body = (await client.get(f"/nominations/{nomination_id}/documents/verify", headers=auth(SCHOOL, "clerk"))).json()
    assert body["intact"] is True, body
    r = await client.get(content_url.format(report["id"]), headers=auth(SCHOOL, "clerk"))
    assert r.status_code == 200 and r.headers["x-content-sha256"] == report["sha256"], r.text


async def test_a_returned_nomination_takes_a_supplement_and_a_conferred_one_does_not(tier_http):
    client, sessions = await tier_http(Tier.UNIT, business_date=TODAY, nominations=RecordingWorkflows())
    nomination_id, attached = await draft_with(client, ["to_trinh"])
    assert (await client.post(f"/nominations/{nomination_id}/submit", headers=auth(SCHOOL, "clerk"))).status_code == 202

    await set_status(sessions, nomination_id, "in_review")
    r = await client.post(
        f"/nominations/{nomination_id}/documents", headers=auth(SCHOOL, "clerk"), json=document("bao_cao_thanh_tich")
    )
    assert r.status_code == 409 and "in_review" in r.json()["detail"], r.text

    await set_status(sessions, nomination_id, "returned")
    r = await client.post(
        f"/nominations/{nomination_id}/documents", headers=auth(SCHOOL, "clerk"), json=document("bao_cao_thanh_tich")
    )
    assert r.status_code == 201, r.text
    supplement = r.json()
    # Until resubmission, the new document is outside the frozen manifest.
    body = (await client.get(f"/nominations/{nomination_id}/documents/verify", headers=auth(SCHOOL, "clerk"))).json()
    assert body["intact"] is True and body["unlisted"] == [supplement["id"]]

    async with sessions() as session, session.begin():
        manifest = await supplement_manifest(session, nomination_id, SCHOOL, actor=f"{SCHOOL}:clerk")
        again = await supplement_manifest(session, nomination_id, SCHOOL)  # unchanged: no new freeze
    assert (
        [d.document_id for d in manifest]
        == [attached["to_trinh"]["id"], supplement["id"]]
        == [d.document_id for d in again]
    )
    body = (await client.get(f"/nominations/{nomination_id}/documents/verify", headers=auth(SCHOOL, "clerk"))).json()
    assert body["frozen"]["freeze"] == 2 and body["unlisted"] == [] and body["intact"] is True
    assert [d["kind"] for d in body["documents"]] == ["to_trinh", "bao_cao_thanh_tich"]
    history = (await client.get(f"/nominations/{nomination_id}/history", headers=auth(SCHOOL, "clerk"))).json()
    frozen = [h for h in history if h["action"] == "dossier.frozen"]
    assert [(h["details"]["freeze"], len(h["details"]["documents"]), h["actor"]) for h in frozen] == [
        (1, 1, f"{SCHOOL}:clerk"),
        (2, 2, f"{SCHOOL}:clerk"),
    ]
    async with sessions() as session:
        keys = (
            (
                await session.execute(
                    text("select idempotency_key from audit_record where action = 'dossier.frozen' order by seq")
                )
            )
            .scalars()
            .all()
        )
    assert keys == [f"{nomination_id}:dossier:1", f"{nomination_id}:dossier:2"]
    chain = (await client.get("/audit/verify", headers=auth(SCHOOL, "chair"))).json()
    assert chain["valid"] is True

    await set_status(sessions, nomination_id, "conferred")
    r = await client.post(
        f"/nominations/{nomination_id}/documents", headers=auth(SCHOOL, "clerk"), json=document("xac_nhan_thanh_tich")
    )
    assert r.status_code == 409 and "conferred" in r.json()["detail"], r.text


async def open_review(sessions, nomination_id: str, agency: str) -> None:  # type: ignore[no-untyped-def]
    """A review pending at `agency`, as the workflow's open_review activity would leave it."""
    async with sessions() as session, session.begin():
        session.add(
            Review(
                nomination_id=nomination_id,
                workflow_id=f"nomination-{nomination_id}",
                agency_code=agency,
                step=1,
                award_code="HCLD_HANG_BA",
                nominee_name="Nguyễn Thị Lan",
                proposer_agency=SCHOOL,
                route=[{"agency_code": SCHOOL}, {"agency_code": agency}],
                opened_at=datetime.now(UTC),
            )
        )


async def test_a_reviewing_level_adds_its_documents_with_the_same_checks(tier_http, monkeypatch):
    client, sessions = await tier_http(Tier.UNIT, business_date=TODAY, nominations=RecordingWorkflows())
    nomination_id = str(uuid.uuid4())
    url = f"/reviews/{nomination_id}/documents"
    minutes = document("bien_ban_hoi_dong", "Biên bản họp Hội đồng TĐKT cấp trên")

    r = await client.post(url, headers=auth(OTHER_SCHOOL, "chair"), json=minutes)
    assert r.status_code == 404, r.text  # never at this agency
    await open_review(sessions, nomination_id, OTHER_SCHOOL)

    bad_sum = {**minutes, "sha256": sha(b"something else")}
    bad_type = {**minutes, "content_type": "application/x-msdownload"}
    bad_base64 = {**minutes, "content_base64": "not base64!"}
    bad_kind = {**minutes, "kind": "giay_moi_hop"}
    for body, code, words in [
        (bad_sum, 422, "sha256 mismatch"),
        (bad_type, 415, "is not accepted"),
        (bad_base64, 422, "not valid base64"),
        (bad_kind, 422, "unknown document kind"),
    ]:
        r = await client.post(url, headers=auth(OTHER_SCHOOL, "chair"), json=body)
        assert r.status_code == code and words in r.json()["detail"], r.text
    monkeypatch.setattr("services.kit.dossier.service.MAX_DOCUMENT_BYTES", 8)
    r = await client.post(url, headers=auth(OTHER_SCHOOL, "chair"), json=minutes)
    assert r.status_code == 413, r.text
    monkeypatch.undo()

    r = await client.post(url, headers=auth(OTHER_SCHOOL, "clerk"), json=minutes)
    assert r.status_code == 201, r.text
    stored = r.json()
    content = base64.b64decode(minutes["content_base64"])
    assert (stored["kind"], stored["sha256"], stored["size"], stored["agency_code"], stored["uploaded_by"]) == (
        "bien_ban_hoi_dong",
        sha(content),
        len(content),
        OTHER_SCHOOL,
        f"{OTHER_SCHOOL}:clerk",
    )

    listed = await client.get(url, headers=auth(OTHER_SCHOOL, "chair"))
    assert [d["id"] for d in listed.json()] == [stored["id"]]
    assert (await client.get(url, headers=auth(THIRD_SCHOOL, "chair"))).status_code == 404
    assert (await client.post(url, headers=auth(THIRD_SCHOOL, "chair"), json=minutes)).status_code == 404

    async with sessions() as session:
        (ref,) = await level_manifest(session, nomination_id, OTHER_SCHOOL)
        assert (ref.kind, ref.document_id, ref.sha256, ref.agency_code) == (
            "bien_ban_hoi_dong",
            stored["id"],
            stored["sha256"],
            OTHER_SCHOOL,
        )
        elsewhere = DocumentRef(
            kind="to_trinh",
            agency_code="TINH-KG",
            document_id=str(uuid.uuid4()),
            filename="to_trinh.pdf",
            sha256="0" * 64,
            size=1,
        )
        gone = DocumentRef(
            kind="ket_qua_bo_phieu",
            agency_code=OTHER_SCHOOL,
            document_id=str(uuid.uuid4()),
            filename="phieu.pdf",
            sha256="0" * 64,
            size=1,
        )
        results = await verify_documents(session, nomination_id, [ref, elsewhere, gone])
    assert [r["status"] for r in results] == ["intact", "elsewhere", "missing"]

    # Once the nomination has moved on, this level can no longer add to its dossier.
    async with sessions() as session, session.begin():
        await session.execute(
            text("update review set status = 'forwarded' where nomination_id = :id"), {"id": nomination_id}
        )
    r = await client.post(url, headers=auth(OTHER_SCHOOL, "chair"), json=minutes)
    assert r.status_code == 409, r.text


@pytest.mark.parametrize("role", ["council_member", "auditor"])
async def test_only_clerks_chairs_and_admins_add_level_documents(tier_http, role: str):
    client, sessions = await tier_http(Tier.UNIT, business_date=TODAY, nominations=RecordingWorkflows())
    nomination_id = str(uuid.uuid4())
    await open_review(sessions, nomination_id, OTHER_SCHOOL)
    async with sessions() as session, session.begin():
        await add_officer(
            session,
            Officer(
                id=f"{OTHER_SCHOOL}:{role}",
                agency_code=OTHER_SCHOOL,
                name="Thành viên",
                role=role,
            ),
            f"demo-{OTHER_SCHOOL}-{role}",
        )
    r = await client.post(
        f"/reviews/{nomination_id}/documents", headers=auth(OTHER_SCHOOL, role), json=document("bien_ban_hoi_dong")
    )
    assert r.status_code == 403 and role in r.json()["detail"], r.text
