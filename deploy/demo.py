"""`python -m deploy.demo` (`make demo`): one nomination from a school up to the President.

Runs against a system already started by `make run` (service URLs from TDKT_UNIT_URL …, as for
the CLI). Every step is a `tdkt` command, run in-process and printed as typed: the school's clerk
submits a Huân chương Lao động hạng Ba nomination with its documents; the chairs of the school,
Hòn Đất district and Kiên Giang province forward it, each once it shows in their inbox; the
President confers it with a decision number. Then the history across the four services and the
central award registry are shown.
"""

import re
import shlex
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated

import typer
from typer.testing import CliRunner

from deploy.cli import app
from deploy.cli_client import CliError, Officer
from deploy.demo_data import ORDER_ROUTE, PRESIDENT, demo_token
from shared.contracts.tiers import Tier
from shared.rules.calendar import default_calendar

SCHOOL, HON_DAT, KIEN_GIANG = "U91-0001", "D903", "P91"
LEVELS = [agency for _, agency in ORDER_ROUTE]
AWARD, AWARD_NAME = "HCLD_HANG_BA", "Huân chương Lao động hạng Ba"
NOMINEE = "Nguyễn Thị Lan"
TO_TRINH = f"""TRƯỜNG TIỂU HỌC SÓC SƠN
TỜ TRÌNH
Về việc đề nghị tặng {AWARD_NAME} cho bà {NOMINEE}, giáo viên,
đã có thành tích xuất sắc trong công tác giảng dạy từ năm 2015 đến năm 2024.
"""
BAO_CAO = f"""BÁO CÁO THÀNH TÍCH
Đề nghị tặng {AWARD_NAME}
Họ và tên: {NOMINEE}. Chiến sĩ thi đua cơ sở 6 năm liền; Bằng khen của Chủ tịch UBND tỉnh.
"""


class DemoFailed(Exception):
    pass


def tdkt(*args: str) -> str:
    """Run one `tdkt` command in-process, print it and its output, fail if it fails."""
    line = f"tdkt {shlex.join(args)}"
    print(f"\n$ {line}", flush=True)
    result = CliRunner().invoke(app, list(args))
    print(result.output, end="", flush=True)
    if result.exit_code != 0:
        crash = "" if isinstance(result.exception, SystemExit) else f" ({result.exception!r})"
        raise DemoFailed(f"`{line}` exited with code {result.exit_code}{crash}")
    return result.output


def wait_listed(officer: Officer, path: str, nomination_id: str, what: str, timeout: float) -> None:
    """Poll `GET path` until the nomination is among the items listed."""
    deadline = time.monotonic() + timeout
    while not any(item["nomination_id"] == nomination_id for item in officer.call("GET", path)):
        if time.monotonic() > deadline:
            raise DemoFailed(
                f"timed out after {timeout:.0f}s waiting for {what}; see the service logs (.data/logs by default)"
            )
        time.sleep(0.3)


def as_token(agency: str, role: str) -> list[str]:
    return ["--token", demo_token(agency, role)]


def submit() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        to_trinh, bao_cao = Path(tmp) / "to_trinh.txt", Path(tmp) / "bao_cao_thanh_tich.txt"
        to_trinh.write_text(TO_TRINH, encoding="utf-8")
        bao_cao.write_text(BAO_CAO, encoding="utf-8")
        out = tdkt(
            *as_token(SCHOOL, "clerk"),
            "submit",
            "--nominee",
            NOMINEE,
            "--award",
            AWARD,
            "--reason",
            "Hoàn thành xuất sắc nhiệm vụ giảng dạy 10 năm liên tục",
            "--document",
            f"{to_trinh}:to_trinh",
            "--document",
            f"{bao_cao}:bao_cao_thanh_tich",
        )
    found = re.search(r"^nomination (\S+) submitted", out, re.MULTILINE)
    if found is None:
        raise DemoFailed("`tdkt submit` did not print the nomination id")
    return found.group(1)


def publish(nomination_id: str) -> None:
    """The school published the list on its portal 15 working days before its council meets."""
    clerk = Officer(demo_token(SCHOOL, "clerk"))
    today = date.fromisoformat(clerk.call("GET", "/health")["business_date"])
    posted, cal = today, default_calendar()
    for _ in range(15):
        posted -= timedelta(days=1)
        while not cal.is_working_day(posted):
            posted -= timedelta(days=1)
    notice = clerk.call(
        "POST",
        f"/nominations/{nomination_id}/consultation",
        json={"posted_on": posted.isoformat(), "channel": "https://socson.edu.vn/cong-khai"},
    )
    print(
        f"\nPublic consultation posted on {posted:%d/%m/%Y}, closed on {notice['closes_on']} "
        f"(comments: POST /public/consultations/{notice['id']}/comments)."
    )


def council(agency: str, nomination_id: str) -> None:
    """The agency's emulation council meets today and votes by secret ballot (chair and clerk)."""
    chair = Officer(demo_token(agency, "chair"))
    councils = chair.call("GET", "/councils")
    members = [f"{agency}:chair", f"{agency}:clerk"]
    if councils:
        council_id = councils[0]["id"]
    else:
        council_id = chair.call("POST", "/councils", json={"name": f"Hội đồng Thi đua - Khen thưởng ({agency})"})["id"]
    # A roster left incomplete by an interrupted run is completed, not duplicated.
    seated = {
        m["officer_id"] for m in chair.call("GET", f"/councils/{council_id}", params={"on": "2025-01-01"})["members"]
    }
    for member, position in zip(members, ("chair", "secretary"), strict=True):
        if member not in seated:
            chair.call(
                "POST",
                f"/councils/{council_id}/members",
                json={"officer_id": member, "position": position, "from": "2025-01-01"},
            )
    today = chair.call("GET", "/health")["business_date"]
    meeting = chair.call(
        "POST",
        f"/councils/{council_id}/meetings",
        json={
            "held_on": today,
            "present": members,
            "items": [{"nomination_id": nomination_id, "award_code": AWARD, "nominee_name": NOMINEE}],
        },
    )
    for member in members:
        Officer(demo_token(agency, member.split(":")[1])).call(
            "POST", f"/meetings/{meeting['id']}/items/{nomination_id}/votes", json={"vote": "yes"}
        )
    counts = chair.call("POST", f"/meetings/{meeting['id']}/items/{nomination_id}/close-round")
    print(
        f"\nCouncil of {agency} on {today}: {counts['yes']} of {counts['members_total']} members in favour "
        f"({'passed' if counts['passed'] else 'failed'}); the minutes join the dossier."
    )


def run(timeout: float) -> None:
    clerk, president = Officer(demo_token(SCHOOL, "clerk")), Officer(demo_token(PRESIDENT, "chair"))
    clerk.home()  # fails early and clearly when the system is not running
    decision_no = f"{len(president.call('GET', '/awards')) + 1}/QĐ-CTN"
    nomination_id = submit()

    for agency in LEVELS:
        chair = Officer(demo_token(agency, "chair"))
        wait_listed(chair, "/inbox", nomination_id, f"the nomination in the inbox of {agency}", timeout)
        tdkt(*as_token(agency, "chair"), "inbox")
        if agency == PRESIDENT:
            tdkt(
                *as_token(agency, "chair"),
                "decide",
                nomination_id,
                "confer",
                "--decision-no",
                decision_no,
                "--reason",
                "Quyết định tặng thưởng",
            )
        else:
            if agency == SCHOOL:
                publish(nomination_id)
            if Tier(dict((a, t) for t, a in ORDER_ROUTE)[agency]) != Tier.CENTRAL:
                council(agency, nomination_id)
            tdkt(
                *as_token(agency, "chair"),
                "decide",
                nomination_id,
                "forward",
                "--reason",
                "Đủ điều kiện, đề nghị cấp trên xem xét",
            )

    wait_listed(president, "/awards", nomination_id, "central's award registry to record it", timeout)
    tdkt(
        *as_token(SCHOOL, "clerk"),
        "show",
        nomination_id,
        *(arg for agency in LEVELS[1:] for arg in ("--also-token", demo_token(agency, "chair"))),
    )
    tdkt(*as_token(PRESIDENT, "chair"), "awards", "--award", AWARD)
    print(
        f"\nConferred: {AWARD_NAME} to {NOMINEE} ({SCHOOL}) by {PRESIDENT}, "
        f"decision {decision_no}, nomination {nomination_id}."
    )


def main(
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each step to show.")] = 60,
) -> None:
    """Drive one nomination from Trường Tiểu học Sóc Sơn to the President, through the CLI."""
    try:
        run(timeout)
    except (DemoFailed, CliError) as err:
        print(f"\ndemo failed: {err}", file=sys.stderr)
        raise typer.Exit(1) from None


if __name__ == "__main__":
    typer.run(main)
