"""The auditor's console page: verify this service's hash chain, browse the agency's records by
nomination, officer, action and date, and export them as CSV (UTF-8 with a BOM, for Excel)."""

import csv
import io
from datetime import date

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from services.kit.audit.service import AuditFilter, agency_records
from services.kit.console.rendering import render
from services.kit.console.session import console_officer
from services.kit.identity.service import Caller, require
from shared.platform.audit import verify_chain

router = APIRouter(prefix="/console", include_in_schema=False)
PAGE, EXPORT_LIMIT = 50, 100_000
COLUMNS = ("seq", "at", "agency_code", "nomination_id", "actor", "action", "outcome", "reason", "hash")


def parse_filter(params: dict[str, str]) -> tuple[AuditFilter, list[str]]:
    """The filter from the page's address, and what could not be read (shown, not guessed)."""
    problems: list[str] = []

    def day(key: str) -> date | None:
        raw = params.get(key, "").strip()
        if not raw:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            problems.append(f"{key}: ngày không hợp lệ '{raw[:20]}' (YYYY-MM-DD)")
            return None

    return (
        AuditFilter(
            nomination_id=params.get("nomination_id", "").strip()[:64],
            actor=params.get("actor", "").strip()[:128],
            action=params.get("action", "").strip()[:64],
            since=day("since"),
            until=day("until"),
        ),
        problems,
    )


@router.get("/audit", response_class=HTMLResponse)
async def audit_page(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    require(caller, "verify_audit", acting=False)
    params = dict(request.query_params)
    chosen, problems = parse_filter(params)
    page = int(params["page"]) if params.get("page", "").isdigit() and int(params["page"]) > 0 else 1
    async with request.app.state.kit.sessions() as session:
        chain = await verify_chain(session)
        records, total = await agency_records(session, caller.agency_code, chosen, limit=PAGE, offset=(page - 1) * PAGE)
    return render(
        request, "audit.html", status=422 if problems else 200, caller=caller, chain=chain, records=records,
        total=total, page=page, pages=max(1, -(-total // PAGE)), chosen=chosen, problems=problems,
        query={k: v for k, v in params.items() if k != "page"},
    )  # fmt: skip


@router.get("/audit.csv")
async def audit_csv(request: Request, caller: Caller = Depends(console_officer)) -> Response:
    require(caller, "verify_audit", acting=False)
    chosen, problems = parse_filter(dict(request.query_params))
    if problems:
        return Response("; ".join(problems), status_code=422, media_type="text/plain; charset=utf-8")
    async with request.app.state.kit.sessions() as session:
        records, _ = await agency_records(session, caller.agency_code, chosen, limit=EXPORT_LIMIT)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for record in records:
        writer.writerow([getattr(record, column) if column != "at" else record.at.isoformat() for column in COLUMNS])
    filename = f"audit-{caller.agency_code}.csv"
    return Response(
        "\ufeff" + out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
