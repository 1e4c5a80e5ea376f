"""BatchWorkflow: the awardees of one tờ trình that share a route, travelling as one (decision 0042).

Each awardee keeps what a NominationWorkflow keeps (`NominationState`: step, visits, history,
outcome), and each decision on it passes the single workflow's own validator
(`workflows/nomination/validation.py`). What is shared is the work: one activity records the
submissions, one opens a step for every awardee arriving there (review, intake, clock), one
records a decision on many. The rows, audit records and events are each awardee's own, as if it
travelled alone.

An awardee leaves the common path into its own NominationWorkflow (named as any nomination's, so
every per-nomination route finds it), started with its state carried: today when it is returned
(by a level, or at intake). The batch moves to the next level once every awardee at the current
one is decided; conferred and refused awardees end where they are.
"""

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ApplicationError

from workflows.batch.checks import decision_refusal, not_in_batch, split_refusal
from workflows.nomination.state import NominationState

with workflow.unsafe.imports_passed_through():
    from shared.contracts.activities import BatchStepActivities
    from shared.contracts.batch import (
        BATCH_MEMBERS,
        BATCH_STATUS_QUERY,
        BATCH_WORKFLOW,
        DECIDE_MANY,
        MEMBER_STATUS_QUERY,
        MEMBER_WORKFLOW_QUERY,
        SPLIT,
        SPLIT_ALL,
        Arrival,
        BatchInput,
        BatchStatus,
        DecideItem,
        DecideManyInput,
        DecideManyResult,
        ItemOutcome,
        OpenStepArgs,
        RecordDecisionsArgs,
        RecordSubmissionsArgs,
        SplitInput,
        SplitResult,
    )
    from shared.contracts.nomination import (
        DECISION_STATUS,
        WORKFLOW,
        DecisionResult,
        HistoryEntry,
        NominationStatus,
        OpenReviewArgs,
        RecordDecisionArgs,
        RecordSubmissionArgs,
        Resume,
        workflow_id_for,
    )
    from shared.contracts.tiers import NOMINATION_TASK_QUEUE

# A step's activity does the work of up to BATCH_MEMBERS single ones in one transaction, which on
# SQLite first waits up to 30 s for the write lock: the single activity's 30 s are not enough under
# load (a forward of 100 timed out while it committed, and ran again for nothing).
STEP_TIMEOUT = timedelta(minutes=2)
# An awardee's states here beyond a NominationWorkflow's: moved on with the batch, or gone its own way.
WAITING = ("opening", "pending", "recording")
Accepted = tuple[int, DecideItem, NominationState]  # an item's place in the request, the item, its awardee


@workflow.defn(name=BATCH_WORKFLOW)
class BatchWorkflow:
    def __init__(self) -> None:
        self.batch_no = ""
        self.step = 0
        self.state = "starting"
        self.members: dict[str, NominationState] = {}
        self.split_off: dict[str, str] = {}
        self.clock_started = datetime.min  # when the current step opened (workflow time)
        self.groups = 0  # batches of awardees that moved on before the rest of their step

    @workflow.run
    async def run(self, batch: BatchInput) -> BatchStatus:
        self.batch_no = batch.batch_no
        if not 0 < len(batch.nominations) <= BATCH_MEMBERS:
            raise ApplicationError(
                f"a batch carries 1 to {BATCH_MEMBERS} awardees, not {len(batch.nominations)}",
                type="BatchSize",
                non_retryable=True,
            )
        route = [s.agency_code for s in batch.nominations[0].route]
        for n in batch.nominations:
            if [s.agency_code for s in n.route] != route:
                raise ApplicationError(
                    f"{n.nominee_name} has another route than the tờ trình's first awardee",
                    type="MixedRoutes",
                    non_retryable=True,
                )
            member = NominationState()
            member.nomination_input = n
            if n.carried is not None:  # moved on from another batch: where it stands, what it remembers
                member.restore(n.carried)
                n.carried = None
                self.step = member.step
            self.members[n.nomination_id] = member
        first = self.anyone
        if first.runs == 1:  # a tờ trình's own batch, not one that moved on from another
            await first.run_activity(
                BatchStepActivities.record_submissions,
                first.nomination.route[0].tier,
                RecordSubmissionsArgs(
                    [RecordSubmissionArgs(m.facts, self.wf_id, f"{self.key(m)}:submitted") for m in self.active]
                ),
                STEP_TIMEOUT,
            )
        while self.active:
            await self.open_step()
            await self.until_decided()
            moving = [m for m in self.active if m.state == "forwarded"]
            if not moving:
                break
            self.step += 1
            for member in moving:
                member.step = self.step
        self.state = "ended"
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.status()

    @property
    def wf_id(self) -> str:
        return workflow.info().workflow_id

    @property
    def active(self) -> list[NominationState]:
        """The awardees still travelling with the batch at its current step."""
        return [
            m for m in self.members.values() if m.step == self.step and m.state in (*WAITING, "forwarded", "starting")
        ]

    @property
    def anyone(self) -> NominationState:
        return next(iter(self.members.values()))

    def key(self, member: NominationState) -> str:
        """What prefixes an awardee's idempotency keys: unique across the batch's awardees."""
        return f"{self.wf_id}/{member.nomination.nomination_id}"

    async def open_step(self) -> None:
        arriving = self.active
        for member in arriving:
            member.visits[self.step] = member.visits.get(self.step, 0) + 1
            member.state = "opening"
        self.state = "opening"
        self.clock_started = workflow.now()
        now = self.clock_started.isoformat()
        arrivals = [
            Arrival(
                OpenReviewArgs(
                    m.nomination,
                    self.wf_id,
                    self.step,
                    m.visits[self.step],
                    f"{self.key(m)}:{self.step}:{m.visits[self.step]}:open",
                ),
                self.key(m),
            )
            for m in arriving
        ]
        tier = arriving[0].current.tier
        opened = await arriving[0].run_activity(
            BatchStepActivities.open_step, tier, OpenStepArgs(arrivals, now), STEP_TIMEOUT
        )
        for result in opened:
            member = self.members[result.nomination_id]
            if result.clock is None:  # returned at intake by the system, as the single workflow does
                member.history.append(
                    HistoryEntry(self.step, member.current.agency_code, "return", "system", now, result.message)
                )
                await self.split(member, returned=True)
                continue
            member.clock, member.state = result.clock, "pending"
        self.state = "pending"

    async def until_decided(self) -> None:
        """Every awardee at this step decided. The step's clock is the batch's until its first
        reminder: if that comes first, each awardee still pending goes on alone with its clock, and
        reminds and expires as a nomination travelling alone does (`clock.py`)."""
        decided = lambda: all(m.state not in WAITING for m in self.active)  # noqa: E731
        first = self.first_reminder()
        if first is None:
            await workflow.wait_condition(decided)
            return
        try:
            await workflow.wait_condition(decided, timeout=max(first - workflow.now(), timedelta(0)))
        except TimeoutError:
            for member in [m for m in self.active if m.state == "pending" and not m.claimed]:
                await self.split(member, resume=True)
            await workflow.wait_condition(decided)

    def first_reminder(self) -> datetime | None:
        """When the step's first reminder (or, without reminders, its expiry) is due, if it has a deadline."""
        clocks = [m.clock for m in self.active if m.state == "pending" and m.clock and m.clock.has_deadline]
        if not clocks:
            return None
        after = min(c.reminder_after[0] if c.reminder_after else c.expires_after for c in clocks)
        return self.clock_started + timedelta(seconds=after)

    async def split(self, member: NominationState, *, returned: bool = False, resume: bool = False) -> None:
        """The awardee goes on alone, from where it stands, in its own NominationWorkflow:
        `returned`, with the proposer for a supplement; `resume`, pending here with its review open
        and its clock running; otherwise between steps (forwarded: it opens the next step itself)."""
        if member.state == "forwarded":
            member.step += 1
        member.state = "splitting"  # no decision is taken on it meanwhile
        carried = member.carry(None)
        assert carried.carried is not None
        carried.carried.returned = returned
        if resume:
            carried.carried.resume = Resume(member.visits[self.step], member.clock, self.clock_started.isoformat())
        wf_id = workflow_id_for(carried.nomination_id)
        await workflow.start_child_workflow(
            WORKFLOW,
            carried,
            id=wf_id,
            task_queue=NOMINATION_TASK_QUEUE,
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
        )
        self.split_off[carried.nomination_id] = wf_id
        member.state = "split"

    @workflow.update(name=DECIDE_MANY.name)
    async def decide_many(self, request: DecideManyInput) -> DecideManyResult:
        outcomes: list[ItemOutcome | None] = [None] * len(request.items)
        accepted: list[Accepted] = []
        for i, item in enumerate(request.items):
            refusal = self.refusal(item, [a[1].nomination_id for a in accepted])
            if refusal is not None:
                outcomes[i] = ItemOutcome(item.nomination_id, error=refusal.message, kind=refusal.type)
                continue
            member = self.members[item.nomination_id]
            member.claimed = True
            accepted.append((i, item, member))
        # A review row exists once open_step commits, a moment before this workflow learns it did.
        await workflow.wait_condition(lambda: all(m.state != "opening" for _, _, m in accepted))
        ready = []
        for i, item, member in accepted:
            if member.state == "pending":
                member.state = "recording"
                ready.append((i, item, member))
            else:
                member.claimed = False
                outcomes[i] = ItemOutcome(
                    item.nomination_id,
                    error=f"nomination is not awaiting a decision (it is {member.state})",
                    kind="NotPending",
                )
        if ready:
            await self.record(ready, outcomes)
        return DecideManyResult([o for o in outcomes if o is not None])

    async def record(
        self, ready: list[tuple[int, DecideItem, NominationState]], outcomes: list[ItemOutcome | None]
    ) -> None:
        now = workflow.now().isoformat()
        step = self.step
        records = []
        for _, item, member in ready:
            route, d = member.nomination.route, item.decision
            records.append(
                RecordDecisionArgs(
                    nomination=member.facts,
                    workflow_id=self.wf_id,
                    step=step,
                    visit=member.visits[step],
                    decision=d,
                    next_agency=route[step + 1].agency_code if d.action == "forward" else None,
                    idempotency_key=f"{self.key(member)}:{step}:{member.visits[step]}:decision",
                    decided_at=now,
                )
            )
        tier = ready[0][2].current.tier
        await ready[0][2].run_activity(
            BatchStepActivities.record_decisions, tier, RecordDecisionsArgs(records), STEP_TIMEOUT
        )
        for (i, item, member), record in zip(ready, records, strict=True):
            d = item.decision
            member.history.append(HistoryEntry(step, d.agency_code, d.action, d.officer_id, now, d.reason))
            if d.action == "forward" and d.documents:
                member.nomination.documents = [*member.nomination.documents, *d.documents]
            member.claimed = False
            member.state = DECISION_STATUS[d.action]
            outcomes[i] = ItemOutcome(
                item.nomination_id,
                DecisionResult(
                    item.nomination_id, d.action, d.agency_code, step, DECISION_STATUS[d.action], record.next_agency
                ),
            )
            if d.action == "return":
                await self.split(member, returned=True)
        await self.move_on_early()

    async def move_on_early(self) -> None:
        """Awardees forwarded while others at the step wait for their decision do not wait with
        them: they go on together in a batch of their own, from the next step."""
        forwarded = [m for m in self.active if m.state == "forwarded"]
        if not forwarded or all(m.state not in WAITING for m in self.active):
            return  # none, or the whole step decided: the batch itself moves on
        self.groups += 1
        wf_id = f"{self.wf_id}-{self.groups}"
        inputs = []
        for member in forwarded:
            member.step += 1
            inputs.append(member.carry(None))
            member.state = "split"
            self.split_off[member.nomination.nomination_id] = wf_id
        await workflow.start_child_workflow(
            BATCH_WORKFLOW,
            BatchInput(self.batch_no, inputs),
            id=wf_id,
            task_queue=NOMINATION_TASK_QUEUE,
            parent_close_policy=workflow.ParentClosePolicy.ABANDON,
        )

    def refusal(self, item: DecideItem, earlier: list[str]) -> ApplicationError | None:
        return decision_refusal(self.members, self.split_off, self.batch_no, item, earlier)

    @workflow.update(name=SPLIT.name)
    async def split_one(self, request: SplitInput) -> SplitResult:
        member = self.members[request.nomination_id]
        if request.nomination_id not in self.split_off:  # pending here, or forwarded (between steps)
            await self.split(member, resume=member.state == "pending")
        return SplitResult(self.split_off[request.nomination_id])

    @workflow.update(name=SPLIT_ALL.name)
    async def split_all(self) -> int:
        """Every awardee still travelling goes on alone, from where it stands; the batch then ends.
        A reorganization does this before it transfers nominations, one by one (decision 0042)."""
        busy = ("starting", "opening", "recording")  # a step being opened or a decision recorded: let it end
        await workflow.wait_condition(lambda: all(m.state not in busy for m in self.members.values()))
        for member in [m for m in self.members.values() if m.state in ("pending", "forwarded")]:
            await self.split(member, resume=member.state == "pending")
        return len(self.split_off)

    @split_one.validator
    def validate_split(self, request: SplitInput) -> None:
        refusal = split_refusal(self.members, self.split_off, self.batch_no, request.nomination_id)
        if refusal is not None:
            raise refusal

    @decide_many.validator
    def validate_decide_many(self, request: DecideManyInput) -> None:
        """Refused as a whole only when no item can be decided: the first item's reason is the answer."""
        if not request.items:
            raise ApplicationError("no awardee named", type="NoItems")
        refusals = []
        for i, item in enumerate(request.items):
            refusal = self.refusal(item, [it.nomination_id for it in request.items[:i]])
            if refusal is None:
                return
            refusals.append(refusal)
        raise refusals[0]

    @workflow.query(name=BATCH_STATUS_QUERY)
    def status(self) -> BatchStatus:
        return BatchStatus(
            self.batch_no, self.step, self.state, [m.snapshot() for m in self.members.values()], dict(self.split_off)
        )

    @workflow.query(name=MEMBER_WORKFLOW_QUERY)
    def member_workflow(self, nomination_id: str) -> str:
        """Where the awardee is decided now: this workflow, the batch it moved on in, or its own."""
        if nomination_id not in self.members:
            raise not_in_batch(nomination_id, self.batch_no)
        return self.split_off.get(nomination_id, self.wf_id)

    @workflow.query(name=MEMBER_STATUS_QUERY)
    def member_status(self, nomination_id: str) -> NominationStatus:
        member = self.members.get(nomination_id)
        if member is None:
            raise not_in_batch(nomination_id, self.batch_no)
        return member.snapshot()
