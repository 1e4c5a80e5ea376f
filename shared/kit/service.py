"""What every tier does alike with dossiers, reviews and audit. Functions never commit."""

import base64
import binascii
import hashlib
import uuid
from datetime import UTC, date, datetime

from fastapi import HTTPException, status
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from shared.hierarchy.registry import agency_on
from shared.kit.auth import Caller
from shared.kit.nominees import history_of
from shared.models import Agency, AuditRecord, Document, Nomination, Review
from shared.routing import RoutePlan, RoutingError, plan_route
from shared.rules.catalog import default_catalog
from shared.rules.dossier import DOCUMENT_KINDS
from shared.rules.eligibility import Verdict, check_eligibility
from workflows.nomination.inputs import NominationInput

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
ALLOWED_CONTENT_TYPES = {
    "application/pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/msword",
    "image/png",
    "image/jpeg",
    "text/plain",
}


def _problem(code: int, message: str) -> HTTPException:
    return HTTPException(code, message)


async def create_draft(
    session: AsyncSession,
    *,
    caller: Caller,
    nominee_name: str,
    nominee_kind: str,
    award_code: str,
    reason: str,
    **rules: object,
) -> Nomination:
    """A draft at the caller's agency. `rules` are the DraftIn fields the rules read (mode, …)."""
    catalog = default_catalog()
    if award_code not in catalog.awards:
        raise _problem(422, f"unknown award code '{award_code}'; GET /catalog/awards lists the codes")
    nomination = Nomination(
        id=str(uuid.uuid4()),
        proposer_agency=caller.agency_code,
        nominee_name=nominee_name,
        nominee_kind=nominee_kind,
        award_code=award_code,
        reason=reason,
        created_by=caller.officer_id,
        created_at=datetime.now(UTC),
        **rules,
    )
    session.add(nomination)
    return nomination


async def own_nomination(session: AsyncSession, *, caller: Caller, nomination_id: str) -> Nomination:
    """The caller's agency's own dossier; others' dossiers look absent (404), never forbidden."""
    nomination = await session.get(Nomination, nomination_id)
    if nomination is None or nomination.proposer_agency != caller.agency_code:
        raise _problem(status.HTTP_404_NOT_FOUND, f"no nomination {nomination_id} at {caller.agency_code}")
    return nomination


async def add_document(
    session: AsyncSession,
    *,
    caller: Caller,
    nomination_id: str,
    kind: str,
    filename: str,
    content_type: str,
    content_base64: str,
    sha256: str,
) -> Document:
    """Attach a document to a draft, or to a returned nomination as a supplement (domain.md §4.6).

    Once submitted, the dossier is frozen (`shared.kit.dossier.freeze_manifest`): documents added
    after a return join it when the nomination is resubmitted, which freezes it again.
    """
    nomination = await own_nomination(session, caller=caller, nomination_id=nomination_id)
    if nomination.status not in ("draft", "returned"):
        raise _problem(
            status.HTTP_409_CONFLICT,
            f"documents can only be added to a draft or to a nomination returned for a supplement; "
            f"nomination {nomination_id} is {nomination.status}",
        )
    content = decode_document(kind=kind, content_type=content_type, content_base64=content_base64, sha256=sha256)
    document = Document(
        id=str(uuid.uuid4()),
        nomination_id=nomination.id,
        kind=kind,
        filename=filename,
        content_type=content_type,
        size=len(content),
        sha256=sha256,
        content=content,
        uploaded_at=datetime.now(UTC),
    )
    session.add(document)
    return document


def decode_document(*, kind: str, content_type: str, content_base64: str, sha256: str) -> bytes:
    """The uploaded file's bytes, once its kind, type, size and checksum are acceptable.

    The client sends the checksum it computed so that a file damaged in transit is refused here,
    not discovered later by `verify` as an alteration.
    """
    if kind not in DOCUMENT_KINDS:
        raise _problem(422, f"unknown document kind '{kind}'; use one of {list(DOCUMENT_KINDS)}")
    if content_type not in ALLOWED_CONTENT_TYPES:
        raise _problem(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            f"content type '{content_type}' is not accepted; use one of {sorted(ALLOWED_CONTENT_TYPES)}",
        )
    try:
        content = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise _problem(422, "content_base64 is not valid base64") from None
    if len(content) > MAX_DOCUMENT_BYTES:
        raise _problem(413, f"document is {len(content)} bytes; the limit is {MAX_DOCUMENT_BYTES}")
    actual = hashlib.sha256(content).hexdigest()
    if actual != sha256:
        raise _problem(422, f"sha256 mismatch: you sent {sha256}, the content hashes to {actual}")
    return content


async def documents_of(session: AsyncSession, nomination_id: str) -> list[Document]:
    rows = await session.exec(
        select(Document).where(Document.nomination_id == nomination_id).order_by(Document.uploaded_at)  # type: ignore[arg-type]
    )
    return list(rows.all())


async def prepare_submission(
    session: AsyncSession, *, caller: Caller, nomination_id: str, today: date
) -> tuple[NominationInput, RoutePlan]:
    """Check the draft can go, fix its route, freeze its dossier; the workflow's first activity
    records the submission.

    The manifest travels in `NominationInput.documents` and is frozen in this service's audit
    chain in the same transaction, so `GET /nominations/{id}/documents/verify` can later prove
    that no document changed after submission.
    """
    # dossier.py builds on this module (its routes use own_nomination and pending_review).
    from shared.kit.dossier import freeze_manifest

    nomination = await own_nomination(session, caller=caller, nomination_id=nomination_id)
    if nomination.status != "draft":
        raise _problem(status.HTTP_409_CONFLICT, f"nomination is already {nomination.status}")
    if not await documents_of(session, nomination.id):
        raise _problem(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            "attach at least the tờ trình (submission document) before submitting",
        )
    await _collective_exists(session, nomination, today)
    now = datetime.now(UTC)
    try:
        plan = await plan_route(
            session,
            proposer_agency=nomination.proposer_agency,
            award_code=nomination.award_code,
            on=today,
            mode=nomination.mode,
            movement_code=nomination.movement_code,
        )
    except RoutingError as err:
        raise _problem(status.HTTP_422_UNPROCESSABLE_ENTITY, str(err)) from None
    regime = default_catalog().judging_regime(today).code
    verdict = await judge(session, nomination, regime=regime, on=today, province_code=plan.province_code)
    if verdict.outcome == "ineligible":
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_ENTITY,
            {
                "message": f"{nomination.nominee_name} is not eligible for {nomination.award_code} "
                f"under regime {regime}",
                "reasons": verdict.reasons(),
                "eligibility": verdict.to_dict(),
            },
        )
    nomination.regime, nomination.eligibility = regime, verdict.to_dict()
    session.add(nomination)
    documents = await freeze_manifest(
        session, nomination_id=nomination.id, agency_code=nomination.proposer_agency, actor=caller.officer_id, at=now
    )
    return (
        NominationInput(
            nomination_id=nomination.id,
            award_code=nomination.award_code,
            nominee_name=nomination.nominee_name,
            proposer_agency=nomination.proposer_agency,
            submitted_by=caller.officer_id,
            submitted_at=now.isoformat(),
            route=plan.steps,
            regime=regime,
            mode=nomination.mode,
            nominee_id=nomination.nominee_id,
            period_year=period_year(nomination, today),
            eligibility=nomination.eligibility,
            achievement=nomination.achievement,
            initiative_ids=list(nomination.initiative_ids),
            documents=documents,
            nominee_kind=nomination.nominee_kind,
        ),
        plan,
    )


async def _collective_exists(session: AsyncSession, nomination: Nomination, today: date) -> None:
    """No collective award for a unit dissolved or merged away by a reorganization (TT 15/2025/TT-BNV)."""
    if nomination.nominee_kind != "collective" or not nomination.nominee_id:
        return
    if await agency_on(session, nomination.nominee_id, today) is not None:
        return
    last = (
        await session.exec(
            select(Agency).where(Agency.code == nomination.nominee_id).order_by(Agency.valid_from.desc())
        )
    ).first()  # type: ignore[attr-defined]
    if last is None:
        return  # a collective that is not an agency of the registry (a team, a department)
    raise _problem(
        status.HTTP_422_UNPROCESSABLE_ENTITY,
        f"{last.code} ({last.name}) ceased to exist on {last.valid_to}: no collective award for a unit "
        f"dissolved after the reorganization (Thông tư 15/2025/TT-BNV); its members' nominations go through "
        f"its successor ({', '.join(last.successors or []) or 'none recorded'})",
    )


def period_year(nomination: Nomination, today: date) -> int:
    """The year whose achievements are judged: given on the draft, else the previous year."""
    return nomination.period_year or today.year - 1


async def judge(
    session: AsyncSession, nomination: Nomination, *, regime: str, on: date, province_code: str | None
) -> Verdict:
    """The eligibility verdict over the nominee's history held by this service."""
    return check_eligibility(
        nomination.award_code,
        await history_of(session, nomination.nominee_id),
        mode=nomination.mode,
        year=period_year(nomination, on),
        on=on,
        regime=regime,
        province_code=province_code,
        achievement=nomination.achievement,
        initiative_ids=tuple(nomination.initiative_ids),
        recipient_kind=nomination.nominee_kind,
    )


async def inbox(session: AsyncSession, *, agency_code: str, state: str | None = "pending") -> list[Review]:
    query = select(Review).where(Review.agency_code == agency_code)
    if state:
        query = query.where(Review.status == state)
    return list((await session.exec(query.order_by(Review.opened_at))).all())  # type: ignore[arg-type]


async def pending_review(session: AsyncSession, *, caller: Caller, nomination_id: str) -> Review:
    reviews = (
        await session.exec(
            select(Review)
            .where(Review.nomination_id == nomination_id, Review.agency_code == caller.agency_code)
            .order_by(Review.opened_at.desc())  # type: ignore[union-attr]
        )
    ).all()
    if not reviews:
        raise _problem(status.HTTP_404_NOT_FOUND, f"nomination {nomination_id} has never been at {caller.agency_code}")
    latest = reviews[0]
    if latest.status != "pending":
        raise _problem(
            status.HTTP_409_CONFLICT,
            f"nomination {nomination_id} is not pending at {caller.agency_code}: it was already {latest.status} here",
        )
    return latest


async def history(session: AsyncSession, *, caller: Caller, nomination_id: str) -> list[AuditRecord]:
    """This service's audit records for a nomination, for agencies on its route."""
    on_route = await _agency_on_route(session, caller.agency_code, nomination_id)
    if not on_route:
        raise _problem(
            status.HTTP_404_NOT_FOUND, f"nomination {nomination_id} is not on the route of {caller.agency_code}"
        )
    rows = await session.exec(
        select(AuditRecord).where(AuditRecord.nomination_id == nomination_id).order_by(AuditRecord.seq)  # type: ignore[arg-type]
    )
    return list(rows.all())


async def _agency_on_route(session: AsyncSession, agency_code: str, nomination_id: str) -> bool:
    """Whether the agency is or was on the nomination's route (routes change after a reorganization)."""
    routes: list[list[dict]] = []
    nomination = await session.get(Nomination, nomination_id)
    if nomination is not None:
        routes.append(nomination.route or [{"agency_code": nomination.proposer_agency}])
    reviews = await session.exec(select(Review).where(Review.nomination_id == nomination_id))
    routes += [review.route for review in reviews.all()]
    return any(step["agency_code"] == agency_code for route in routes for step in route)
