"""A service served by several processes on one machine (SERVICE_PROCESSES > 1, decision 0047).

The processes share a directory, named by PROMETHEUS_MULTIPROC_DIR (the metrics library keeps each
process's values there; `services/kit/metrics.py` adds them up), where they also take turns at
what only one of them may do at a time (`one_at_a_time`). Alone, a process has no such directory
and every turn is its own.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SHARED = "PROMETHEUS_MULTIPROC_DIR"


def shared_dir() -> Path | None:
    """The directory the service's processes share, if it runs as several."""
    value = os.environ.get(SHARED)
    return Path(value) if value else None


@contextmanager
def one_at_a_time(name: str) -> Iterator[bool]:
    """Whether this process may do `name` now: no other process of the service is doing it (a lock
    file in the shared directory, released when the block ends or the process dies). Never waits."""
    folder = shared_dir()
    if folder is None:
        yield True
        return
    with open(folder / f"{name}.lock", "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
