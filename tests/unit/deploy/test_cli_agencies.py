"""`tdkt agencies import` reads the file first (a header that does not fit is said before anything is
sent), tells how far it got, sends the file as base64 JSON, and prints a line for every row of the
service's report; `tdkt agencies template` writes a file the import reads."""

import base64
import json
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from deploy import cli_client
from deploy.cli import app
from deploy.cli_agencies import UPLOAD_CHUNK, upload_chunks
from services.kit.bodies.sheets import body_of, read_sheet

ROWS = "Mã đơn vị,Tên đơn vị,Loại hình,Mã cơ quan quản lý\nU91-0101,Trường A,school,C30823\nU91-0102,Trường B,x,D903\n"


class FakeService:
    """The province service, as far as the command sees it: who the token is, and the import's answer."""

    def __init__(self, status: int, report: dict[str, Any]) -> None:
        self.status, self.report = status, report
        self.sent: list[dict[str, Any]] = []

    def __call__(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        request = httpx.Request(method, url)
        if url.endswith("/me"):
            return httpx.Response(200 if ":8003" in url else 401, json={}, request=request)
        assert url == "http://127.0.0.1:8003/agencies/import" and kwargs["headers"]["Authorization"]
        self.sent.append(json.loads(b"".join(kwargs["content"])))
        body = {"detail": {"message": "refused", **self.report}} if self.status == 422 else self.report
        return httpx.Response(self.status, json=body, request=request)


def report(*, applied: bool, dry_run: bool = False, invalid: bool = False) -> dict[str, Any]:
    error = {"field": "kind", "vi": "loại hình 'x' không được đăng ký", "en": "the kind 'x' cannot be registered"}
    return {
        "filename": "don_vi.csv",
        "format": "csv",
        "dry_run": dry_run,
        "rows": 2,
        "valid": 1 if invalid else 2,
        "invalid": 1 if invalid else 0,
        "applied": applied,
        "lines": [
            {"row": 2, "code": "U91-0101", "ok": True, "errors": []},
            {"row": 3, "code": "U91-0102", "ok": not invalid, "errors": [error] if invalid else []},
        ],
    }


def run(monkeypatch: pytest.MonkeyPatch, service: FakeService, *args: str):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(cli_client.httpx, "request", service)
    for tier in ("UNIT", "DISTRICT", "PROVINCE", "CENTRAL"):
        monkeypatch.delenv(f"TDKT_{tier}_URL", raising=False)
    return CliRunner().invoke(app, ["--token", "demo-P91-admin", "agencies", "import", *args])


def test_a_file_is_read_sent_and_every_row_reported(monkeypatch, tmp_path: Path):
    file = tmp_path / "don_vi.csv"
    file.write_text(ROWS, encoding="utf-8")
    service = FakeService(200, report(applied=True))
    result = run(monkeypatch, service, str(file))
    assert result.exit_code == 0, result.output
    assert service.sent == [
        {"filename": "don_vi.csv", "content_base64": base64.b64encode(ROWS.encode()).decode(), "dry_run": False}
    ]
    assert "read 2 rows of don_vi.csv" in result.stderr
    assert "checking 2 rows at the province service …" in result.stderr
    assert "U91-0101  ok" in result.stdout and "U91-0102  ok" in result.stdout
    assert "2 rows: 2 valid, 0 invalid; all 2 bodies registered" in result.stdout


def test_a_refused_file_prints_each_error_in_both_languages_writes_the_report_and_fails(monkeypatch, tmp_path):
    file, written = tmp_path / "don_vi.csv", tmp_path / "bao_cao.csv"
    file.write_text(ROWS, encoding="utf-8")
    result = run(
        monkeypatch,
        FakeService(422, report(applied=False, invalid=True)),
        str(file),
        "--errors-only",
        "--report",
        str(written),
    )
    assert result.exit_code == 1
    assert "U91-0101" not in result.stdout
    assert "LỖI/ERROR  kind   loại hình 'x' không được đăng ký / the kind 'x' cannot be registered" in result.stdout
    assert "nothing registered: correct the invalid rows and import the whole file again" in result.stdout
    assert written.read_text(encoding="utf-8-sig").splitlines() == [
        "row,code,ok,field,error_vi,error_en",
        "2,U91-0101,True,,,",
        "3,U91-0102,False,kind,loại hình 'x' không được đăng ký,the kind 'x' cannot be registered",
    ]


def test_a_header_that_does_not_fit_is_said_before_anything_is_sent(monkeypatch, tmp_path):
    file = tmp_path / "don_vi.csv"
    file.write_text("Mã,Tên\nU91-0101,Trường A\n", encoding="utf-8")
    service = FakeService(200, report(applied=True))
    result = run(monkeypatch, service, str(file), "--dry-run")
    assert result.exit_code == 1 and service.sent == []
    assert "error: don_vi.csv: the header row does not fit" in result.stderr
    assert "missing columns: ['Loại hình', 'Mã cơ quan quản lý']" in result.stderr


def test_the_upload_tells_every_tenth_that_has_gone():
    body = b"x" * (UPLOAD_CHUNK * 20)
    told: list[int] = []
    assert b"".join(upload_chunks(body, told.append)) == body
    assert told == [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    small: list[int] = []
    assert list(upload_chunks(b"{}", small.append)) == [b"{}"] and small == []


@pytest.mark.parametrize("name", ["mau.csv", "mau.xlsx"])
def test_the_template_is_a_file_the_import_reads(tmp_path, name):
    file = tmp_path / name
    result = CliRunner().invoke(app, ["agencies", "template", str(file)])
    assert result.exit_code == 0, result.output
    [(row, fields)] = read_sheet(name, file.read_bytes()).rows
    body, problems = body_of(fields, date(2025, 8, 1))
    assert row == 2 and problems == [] and body is not None
    assert (body.code, body.kind, body.parent_code, body.valid_from) == (
        "U91-0101",
        "school",
        "C30823",
        date(2025, 9, 1),
    )
