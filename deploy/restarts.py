"""The launcher's watch over its children: one that dies is started again after a back-off and
the launcher says so; one that keeps dying (more than `limit` restarts within `window_s`) stops
everything, as a part that cannot run is better reported than hidden (decision 0033).
"""

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn, TextIO

from deploy.embedded import Child


class ChildDied(Exception):
    """A child process kept exiting on its own: the launcher gives up."""


@dataclass(frozen=True)
class RestartPolicy:
    first_s: float = 1.0  # the first restart's delay, doubled at each restart within the window
    max_s: float = 30.0
    limit: int = 5  # restarts of one child within the window before the launcher gives up
    window_s: float = 300.0

    def delay(self, restarts: int) -> float:
        return min(self.max_s, self.first_s * 2 ** (restarts - 1))


class Watchdog:
    def __init__(
        self,
        children: Callable[[], list[Child]],
        *,
        policy: RestartPolicy | None = None,
        after_start: dict[str, Callable[[], None]] | None = None,
        on_restart: Callable[[], None] | None = None,
        out: TextIO = sys.stdout,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.children, self.policy, self.out, self.clock = children, policy or RestartPolicy(), out, clock
        self.after_start = after_start or {}  # by child name: what a fresh start needs (topics on a new broker)
        self.on_restart = on_restart
        self.restarts: dict[str, list[float]] = {}  # by child name: when it was restarted
        self.due: dict[str, float] = {}  # by child name: when to start it again

    def check(self) -> None:
        """Look once: schedule the restart of a child that died, start those whose time came."""
        now = self.clock()
        for child in self.children():
            if child.name in self.due:
                if now >= self.due[child.name]:
                    self._start(child)
                continue
            if child.proc is None or child.proc.poll() is None:
                continue
            died = f"the {child.name} (pid {child.proc.pid}) exited with code {child.proc.returncode}"
            recent = [t for t in self.restarts.get(child.name, []) if now - t < self.policy.window_s]
            if len(recent) >= self.policy.limit:
                raise ChildDied(
                    f"{died}, after {len(recent)} restarts within {self.policy.window_s:.0f}s; "
                    f"see its log: {child.log_path}"
                )
            self.restarts[child.name] = [*recent, now]
            delay = self.policy.delay(len(recent) + 1)
            self.due[child.name] = now + delay
            self._say(
                f"{died}; restarting it in {delay:g}s (restart {len(recent) + 1} of at most "
                f"{self.policy.limit} within {self.policy.window_s:.0f}s); its log: {child.log_path}"
            )

    def _start(self, child: Child) -> None:
        del self.due[child.name]
        proc = child.start()
        if hook := self.after_start.get(child.name):
            hook()
        if self.on_restart is not None:
            self.on_restart()
        self._say(f"the {child.name} is running again (pid {proc.pid})")

    def _say(self, line: str) -> None:
        self.out.write(line + "\n")
        self.out.flush()

    def watch(self, every_s: float = 0.5) -> NoReturn:
        """Look until a child keeps dying (ChildDied); signals interrupt it."""
        while True:
            self.check()
            time.sleep(every_s)
