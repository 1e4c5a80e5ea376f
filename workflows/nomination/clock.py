"""A step's clock inside the NominationWorkflow: the deadline in working days, reminders, expiry
under the step's policy, and holds that stop the clock.

The workflow owns time (its timers fire reminders and expiries); the tier holding the review owns
the rules and the records (`LifecycleActivities`: how many working days, what happens at expiry).
"""

from datetime import datetime, timedelta

from temporalio import workflow

from workflows.nomination.state import NominationState

with workflow.unsafe.imports_passed_through():
    from shared.contracts.activities import LifecycleActivities
    from shared.contracts.nomination import ClockArgs, ClockEventArgs, ClockEventResult, HistoryEntry, HoldInput, Resume


class StepClock(NominationState):
    async def start_clock(self, visit: int, restart: int) -> datetime:
        started = workflow.now()
        self.clock = await self.run_activity(
            LifecycleActivities.start_clock,
            self.current.tier,
            ClockArgs(self.nomination, self.wf_id, self.step, visit, started.isoformat(), restart),
        )
        return started

    async def clock_event(self, visit: int, kind: str, key: str, **extra: object) -> ClockEventResult:
        current = self.current
        return await self.run_activity(
            LifecycleActivities.record_clock_event,
            current.tier,
            ClockEventArgs(
                self.nomination,
                self.wf_id,
                self.step,
                visit,
                kind,
                current.agency_code,
                key,
                workflow.now().isoformat(),
                **extra,  # type: ignore[arg-type]
            ),
        )

    async def await_decision(self, visit: int, resume: Resume | None = None) -> str:
        """Pending at the current step with its clock: reminders, expiry under the step's policy, holds.
        `resume`: split off a tờ trình's workflow while pending here, its clock already running.

        Returns "decided", "arrived" (a transfer), "withdrawn" or "escalated" (moved up a level).
        """
        self.state = "pending"
        restarts, fired, expired = 0, 0, False
        if resume is None:
            started = await self.start_clock(visit, restarts)
        else:
            self.clock, fired = resume.clock, resume.reminders_fired
            started = datetime.fromisoformat(resume.clock_started)
        while True:
            clock = self.clock
            timeout = None
            if clock is not None and clock.has_deadline and not self.held and not expired:
                after = clock.reminder_after[fired] if fired < len(clock.reminder_after) else clock.expires_after
                timeout = max((started + timedelta(seconds=after)) - workflow.now(), timedelta(0))
            held = self.held
            try:
                await workflow.wait_condition(
                    lambda: (
                        self.decided is not None or self.arrived_by is not None or self.withdrawn or self.held != held  # noqa: B023 (the wait ends before the next iteration)
                    ),
                    timeout=timeout,
                )
            except TimeoutError:
                assert clock is not None
                key = f"{self.wf_id}:{self.step}:{visit}:clock:{restarts}"
                if self.decided is not None or self.withdrawn or self.transferring or self.claimed:
                    continue  # a decision or transfer is being recorded: it wins over the timer
                if fired < len(clock.reminder_after):
                    await self.clock_event(
                        visit,
                        "reminder",
                        f"{key}:reminder:{fired}",
                        due_on=clock.due_on,
                        share_used=clock.reminder_shares[fired],
                    )
                    fired += 1
                    continue
                expired = True
                if await self.expire(visit, key, clock.due_on, clock.on_expiry):
                    return "escalated"
                continue
            if self.held != held:
                if not self.held:  # released: the clock restarts from the release (domain.md §9.2)
                    restarts += 1
                    fired, expired = 0, False
                    started = await self.start_clock(visit, restarts)
                continue
            if self.withdrawn:
                return "withdrawn"
            return "decided" if self.decided is not None else "arrived"

    async def expire(self, visit: int, key: str, due_on: str, policy: str) -> bool:
        """The deadline passed: apply the step's policy. True when the nomination moved up a level."""
        self.escalations += 1
        route = self.nomination.route
        if policy == "escalate_next_level" and self.step + 1 < len(route):
            reason = f"Quá hạn giải quyết ({due_on}): chuyển lên cấp trên"
            await self.clock_event(
                visit,
                "expiry",
                f"{key}:expiry",
                due_on=due_on,
                policy=policy,
                next_agency=route[self.step + 1].agency_code,
                reason=reason,
            )
            self.history.append(
                HistoryEntry(
                    self.step, self.current.agency_code, "escalate", "system", workflow.now().isoformat(), reason
                )
            )
            self.step += 1
            self.state = "opening"
            return True
        if policy == "escalate_next_level":
            policy = "notify_head"  # nowhere higher to go: the conferring authority's head is told
        result = await self.clock_event(
            visit, "expiry", f"{key}:expiry", due_on=due_on, policy=policy, reason=f"Quá hạn giải quyết ({due_on})"
        )
        self.history.append(
            HistoryEntry(
                self.step,
                self.current.agency_code,
                f"expired:{policy}",
                "system",
                workflow.now().isoformat(),
                f"→ {result.to_officer}" if result.to_officer else None,
            )
        )
        return False

    async def record_hold(self, request: HoldInput, kind: str) -> None:
        self.holds += 1
        visit = self.visits.get(self.step, 1)
        reason = f"{request.reason} ({request.source}, {request.agency_code})"
        await self.clock_event(
            visit, kind, f"{self.wf_id}:{kind}:{self.holds}", officer_id=request.officer_id, reason=reason
        )
        self.history.append(
            HistoryEntry(
                self.step, request.agency_code, kind, request.officer_id, workflow.now().isoformat(), request.reason
            )
        )
