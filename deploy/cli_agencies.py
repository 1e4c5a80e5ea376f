"""`tdkt agencies …`: an admin registers grassroots bodies under their agency, one at a time or
from a CSV or XLSX file (decision 0015; the file's columns: docs/hierarchy.md).

`import` reads the file here first, so that a header that does not fit is said before anything
is sent, and tells how far it got: reading, uploading, then the service's check of every row.
"""

import base64
import csv
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer

from deploy.cli_client import CliError, Options, reports_errors, response_detail
from deploy.cli_output import table
from services.kit.bodies import sheets
from services.kit.bodies.sheets import read_sheet
from services.kit.errors import DomainError

agencies = typer.Typer(help="Grassroots bodies under your agency (its admin only).", no_args_is_help=True)

UPLOAD_CHUNK = 256 * 1024
# The service checks every row in one request: give a large file time.
IMPORT_TIMEOUT = 600


def say(line: str) -> None:
    typer.echo(line, err=True)


@agencies.command("register")
@reports_errors
def register(
    ctx: typer.Context,
    code: Annotated[str, typer.Argument(help="The body's code, e.g. U91-0101")],
    name: Annotated[str, typer.Option(help="Its name, e.g. 'Trường THCS Bình Sơn'")],
    kind: Annotated[str, typer.Option(help="school, enterprise, department (sở), agency, hospital…")],
    parent: Annotated[str, typer.Option(help="The managing authority's code (cơ quan quản lý), e.g. C30823")],
    tier: Annotated[str, typer.Option(help="unit, district or province")] = "unit",
    location: Annotated[str | None, typer.Option(help="The commune its office is in, e.g. C30823")] = None,
    valid_from: Annotated[str | None, typer.Option("--from", help="Its first day (YYYY-MM-DD; default today)")] = None,
    legal_basis: Annotated[str | None, typer.Option(help="The decision that founded it")] = None,
) -> None:
    """Register one body under your agency or an agency below it."""
    options: Options = ctx.obj
    made = options.officer().call(
        "POST",
        "/agencies",
        json={
            "code": code,
            "name": name,
            "kind": kind,
            "parent_code": parent,
            "tier": tier,
            "location_code": location,
            "valid_from": valid_from,
            "legal_basis": legal_basis,
        },
    )
    typer.echo(f"registered {made['code']} {made['name']} ({made['kind']}) under {made['parent_code']}")


@agencies.command("import")
@reports_errors
def import_file(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A .csv (UTF-8) or .xlsx file; columns in docs/hierarchy.md")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check every row, register nothing")] = False,
    errors_only: Annotated[bool, typer.Option("--errors-only", help="Print only the invalid rows")] = False,
    report: Annotated[Path | None, typer.Option(help="Also write every row's line to this .csv")] = None,
) -> None:
    """Register every body of a file, or none if any row is invalid; a line for every row."""
    if not file.is_file():
        raise CliError(f"no such file: {file}")
    content = file.read_bytes()
    try:
        rows = len(read_sheet(file.name, content, progress=lambda n: say(f"reading {file.name}: {n} rows")).rows)
    except DomainError as err:
        raise CliError(f"{file.name}: {err}") from None
    say(f"read {rows} rows of {file.name}")
    body = json.dumps(
        {"filename": file.name, "content_base64": base64.b64encode(content).decode(), "dry_run": dry_run}
    ).encode()
    officer = ctx.obj.officer()
    tier = officer.home()
    chunks = upload_chunks(body, lambda percent: say(f"uploading {len(body) // 1024} KB: {percent}%"))
    say(f"checking {rows} rows at the {tier.value} service{' (dry run)' if dry_run else ''} …")
    r = officer.send(
        tier,
        "POST",
        "/agencies/import",
        content=chunks,
        headers={"Content-Type": "application/json", "Content-Length": str(len(body))},
        timeout=IMPORT_TIMEOUT,
    )
    answer = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
    result = answer.get("detail") if r.status_code == 422 else answer
    if not isinstance(result, dict) or "lines" not in result:
        raise CliError(f"import refused ({r.status_code} {r.reason_phrase}): {response_detail(r)}")
    lines = [line for line in result["lines"] if not (errors_only and line["ok"])]
    if lines:
        typer.echo(table(["row", "code", "result", "field", "error (tiếng Việt / English)"], report_rows(lines)))
    if report is not None:
        write_report(report, result["lines"])
        say(f"every row's line written to {report}")
    typer.echo(summary(result))
    if result["invalid"]:
        raise typer.Exit(1)


def upload_chunks(body: bytes, progress: Callable[[int], None]) -> Iterator[bytes]:
    """The request body in pieces, telling every tenth of it that has gone (a large file takes a while)."""
    told = 0
    for start in range(0, len(body), UPLOAD_CHUNK):
        yield body[start : start + UPLOAD_CHUNK]
        percent = min(start + UPLOAD_CHUNK, len(body)) * 100 // len(body)
        if len(body) > UPLOAD_CHUNK and percent // 10 > told // 10:
            progress(percent)
            told = percent


def report_rows(lines: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """One table line per valid row, one per error of an invalid row."""
    out: list[tuple[Any, ...]] = []
    for line in lines:
        if line["ok"]:
            out.append((line["row"], line["code"], "ok", "", ""))
        for error in line["errors"]:
            out.append((line["row"], line["code"], "LỖI/ERROR", error["field"], f"{error['vi']} / {error['en']}"))
    return out


def write_report(path: Path, lines: list[dict[str, Any]]) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as f:  # the BOM: Excel opens it as UTF-8
        out = csv.writer(f)
        out.writerow(["row", "code", "ok", "field", "error_vi", "error_en"])
        for line in lines:
            for error in line["errors"] or [{"field": "", "vi": "", "en": ""}]:
                out.writerow([line["row"], line["code"], line["ok"], error["field"], error["vi"], error["en"]])


def summary(result: dict[str, Any]) -> str:
    counts = f"{result['rows']} rows: {result['valid']} valid, {result['invalid']} invalid"
    if result["applied"]:
        return f"{counts}; all {result['valid']} bodies registered (đã đăng ký)"
    if result["dry_run"]:
        return f"{counts}; dry run: nothing registered (chạy thử, chưa đăng ký)"
    return f"{counts}; nothing registered: correct the invalid rows and import the whole file again (chưa đăng ký)"


@agencies.command("template")
@reports_errors
def template(file: Annotated[Path, typer.Argument(help="Where to write it: a .csv or .xlsx file")]) -> None:
    """Write an import file with the Vietnamese headers and one example row."""
    suffix = file.suffix.lower().lstrip(".")
    if suffix not in ("csv", "xlsx"):
        raise CliError(f"write a .csv or .xlsx file, not {file.name}")
    file.write_bytes(sheets.template(suffix))
    typer.echo(f"wrote {file}: columns {', '.join(names[0] for names in sheets.COLUMNS.values())}")
