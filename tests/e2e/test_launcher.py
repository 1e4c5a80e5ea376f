"""`python -m deploy.launcher` as a user runs it: up, the scripted demo through the CLI, Ctrl+C
leaves nothing behind, and a second start on the same data dir still knows the conferral; and its
watch over the children, which restarts one that dies."""

import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from deploy.cli_client import url_variable
from deploy.demo_data import PRESIDENT, demo_token
from deploy.embedded import Child, free_port, port_open
from deploy.launcher import READY
from deploy.restarts import ChildDied, RestartPolicy, Watchdog
from shared.contracts.tiers import TIER_ORDER, Tier

ROOT = Path(__file__).resolve().parents[2]
PORT_NAMES = ["kafka", "temporal", "temporal_ui", *(t.value for t in TIER_ORDER)]


class PortTaken(Exception):
    """A port chosen free was taken by another process (a parallel test's) before the launcher bound it."""


class Launched:
    """One launcher process, its output collected line by line."""

    def __init__(self, data_dir: Path, ports: dict[str, int]) -> None:
        self.data_dir, self.ports = data_dir, ports
        env = {**os.environ, **{f"TDKT_{name.upper()}_PORT": str(p) for name, p in ports.items()}}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "deploy.launcher", "--data-dir", str(data_dir)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            start_new_session=True,
        )
        self.lines: list[str] = []
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def url(self, tier: Tier) -> str:
        return f"http://127.0.0.1:{self.ports[tier.value]}"

    def wait_ready(self, timeout: float = 120) -> dict[str, int]:
        """Wait for the credentials table; return the children's PIDs the launcher recorded."""
        deadline = time.monotonic() + timeout
        while READY not in self.output:
            if self.proc.poll() is not None and "is held by another process" in self.output:
                raise PortTaken(self.output)
            assert self.proc.poll() is None, f"launcher exited early:\n{self.output}"
            assert time.monotonic() < deadline, f"launcher not ready in {timeout}s:\n{self.output}"
            time.sleep(0.2)
        return json.loads((self.data_dir / "pids.json").read_text())

    def interrupt(self, timeout: float = 30) -> int:
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout)

    def cleanup(self, pids: dict[str, int]) -> None:
        """After a failed test: stop the launcher, and its children by PID if it hangs."""
        if self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            for pid in pids.values():
                try:
                    os.killpg(pid, signal.SIGKILL)  # each child leads its own process group
                except ProcessLookupError:
                    pass


Start = Callable[[Path, dict[str, int]], tuple[Launched, dict[str, int]]]


@pytest.fixture
def launch() -> Iterator[Start]:
    """Start a launcher and wait until it is ready; whatever happens, none outlives the test."""
    started: list[tuple[Launched, dict[str, int]]] = []

    def start(data_dir: Path, ports: dict[str, int]) -> tuple[Launched, dict[str, int]]:
        for _ in range(3):  # other ports when one was taken meanwhile; the launcher said so and stopped
            launched = Launched(data_dir, ports)
            pids: dict[str, int] = {}
            started.append((launched, pids))
            try:
                pids.update(launched.wait_ready())
                return launched, pids
            except PortTaken:
                ports = {name: free_port() for name in PORT_NAMES}
        raise AssertionError(f"the launcher found a port taken three times:\n{launched.output}")

    yield start
    for launched, pids in started:
        launched.cleanup(pids)


def assert_nothing_left(launched: Launched, pids: dict[str, int]) -> None:
    deadline = time.monotonic() + 5
    while alive := [name for name, pid in pids.items() if Path(f"/proc/{pid}").exists()]:
        assert time.monotonic() < deadline, f"still running after the launcher exited: {alive}"
        time.sleep(0.1)
    listening = [name for name, port in launched.ports.items() if port_open(port)]
    assert not listening, f"ports still listening: {listening}"
    marker = str(launched.data_dir).encode()
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            seen = (proc / "cmdline").read_bytes() + (proc / "environ").read_bytes()
        except OSError:  # gone meanwhile, or not ours to read
            continue
        assert marker not in seen, f"process {proc.name} still refers to {launched.data_dir}"


def test_launch_demo_stop_and_restart(launch: Start, tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    ports = {name: free_port() for name in PORT_NAMES}

    began = time.monotonic()
    first, pids = launch(data_dir, ports)
    up_in = time.monotonic() - began
    assert "[1/" in first.output and demo_token(PRESIDENT, "chair") in first.output
    assert "2025-05-15" in first.output and "Trường Tiểu học Sóc Sơn" in first.output
    assert set(pids) >= {"temporal", "kafka (tansu)", "workflow worker", "unit service"}

    # The one address it prints sends a district officer's login to the district's console.
    one = re.search(r"One address for every officer: (\S+)", first.output)
    assert one and one.group(1) == f"{first.url(Tier.UNIT)}/console/login", first.output
    chair = demo_token("D903", "chair")
    sent = httpx.post(one.group(1), data={"username": f"{chair.lower()}@D903", "next": "/console"}, timeout=10)
    assert sent.status_code == 303 and sent.headers["location"].startswith(f"{first.url(Tier.DISTRICT)}/console/login?")
    there = httpx.post(
        sent.headers["location"].split("?")[0], data={"username": f"{chair.lower()}@D903", "password": chair}
    )
    assert there.status_code == 303 and "tdkt_session" in there.cookies, (there.headers, first.output)

    env = {**os.environ, **{url_variable(t): first.url(t) for t in TIER_ORDER}}
    demo = subprocess.run(
        [sys.executable, "-m", "deploy.demo", "--timeout", "60"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=150,
    )
    assert demo.returncode == 0, f"demo failed:\n{demo.stdout}\n{demo.stderr}"
    conferred = re.search(r"^Conferred: Huân chương Lao động hạng Ba .* nomination (\S+)\.$", demo.stdout, re.MULTILINE)
    assert conferred, demo.stdout
    nomination_id = conferred.group(1)
    assert "decision.confer" in demo.stdout  # the merged history reached the central service

    assert first.interrupt() == 0, first.output
    assert "stopped." in first.output
    assert_nothing_left(first, pids)

    second, pids = launch(data_dir, ports)
    president = {"Authorization": f"Bearer {demo_token(PRESIDENT, 'chair')}"}
    awards = httpx.get(f"{second.url(Tier.CENTRAL)}/awards", headers=president, timeout=10).json()
    assert [a["decision_no"] for a in awards if a["nomination_id"] == nomination_id] == ["1/QĐ-CTN"]
    status = httpx.get(
        f"{second.url(Tier.CENTRAL)}/nominations/{nomination_id}/status", headers=president, timeout=30
    ).json()
    assert status["state"] == "conferred", status  # the workflow survived in Temporal's SQLite
    assert second.interrupt() == 0, second.output
    assert_nothing_left(second, pids)
    print(f"launcher up in {up_in:.1f}s; whole test {time.monotonic() - began:.1f}s")


def test_a_child_that_dies_is_restarted_and_one_that_keeps_dying_stops_everything(tmp_path: Path) -> None:
    """The launcher's watch, with real processes: a child killed with SIGKILL is started again after
    its back-off and the output says so; a child that exits at once each time is given up on after
    the limit (ChildDied: the launcher then stops the rest and exits 1, as before)."""
    sleeper = Child("unit service", [sys.executable, "-c", "import time; time.sleep(60)"], tmp_path / "unit.log")
    quitter = Child("workflow worker", [sys.executable, "-c", "raise SystemExit(3)"], tmp_path / "worker.log")
    out, refilled = io.StringIO(), []
    watchdog = Watchdog(
        lambda: [sleeper, quitter],
        policy=RestartPolicy(first_s=0.1, max_s=0.2, limit=2, window_s=60),
        after_start={"unit service": lambda: refilled.append(sleeper.proc.pid if sleeper.proc else 0)},
        out=out,
    )
    sleeper.start()
    try:
        first = sleeper.proc
        assert first is not None
        sleeper.kill()
        quitter.start()
        deadline = time.monotonic() + 15
        with pytest.raises(ChildDied) as gave_up:
            while time.monotonic() < deadline:
                watchdog.check()
                time.sleep(0.05)
        assert "workflow worker" in str(gave_up.value) and "exited with code 3, after 2 restarts" in str(gave_up.value)
        again = sleeper.proc
        assert again is not None and again.pid != first.pid and again.poll() is None  # running again
        assert refilled == [again.pid]
        said = out.getvalue()
        assert f"the unit service (pid {first.pid}) exited with code -9; restarting it in 0.1s" in said
        assert f"the unit service is running again (pid {again.pid})" in said
        assert said.count("the workflow worker (pid") == 2  # two restarts, then it gave up
    finally:
        sleeper.stop()
        quitter.stop()
