"""App factory every tier uses: API, Temporal activity worker, outbox relay, event consumer.

The worker, relay, consumer and mail sender run supervised (services/kit/supervision.py): restarted
with back-off when they fail, and reported by `/ready`.

Nothing connects at import time; the lifespan builds every client and hands it to routes through
`app.state.kit`, so tests and the launcher can run the same code against real parts.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi_offline import FastAPIOffline
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from temporalio.client import Client
from temporalio.worker import Worker

from services.kit import deps
from services.kit.audit import api as audit_api
from services.kit.audit.activities import SuccessionActivities
from services.kit.audit.witness import audit_handlers, checkpoints, signer_of
from services.kit.batches import api as batches_api
from services.kit.batches.activities import BatchStepActivities
from services.kit.batches.service import batch_members
from services.kit.bodies import api as bodies_api
from services.kit.catalog import api as catalog_api
from services.kit.clusters import api as clusters_api
from services.kit.console import mount as console
from services.kit.consultation import api as consultation_api
from services.kit.councils import api as councils_api
from services.kit.deadlines.activities import LifecycleActivities, real_clock
from services.kit.delegations import api as delegations_api
from services.kit.dossier import api as dossier_api
from services.kit.erasure import api as erasure_api
from services.kit.errors import Conflict, DomainError, database_busy
from services.kit.events import api as events_api
from services.kit.guards import guarded
from services.kit.handlers import kit_handlers
from services.kit.identity import admin_api as identity_admin_api
from services.kit.identity import api as identity_api
from services.kit.identity.bootstrap import ensure_admin
from services.kit.limits import BodyLimit
from services.kit.metrics import Metrics
from services.kit.metrics import middleware as measured
from services.kit.movements import api as movements_api
from services.kit.nominations.activities import NominationActivities
from services.kit.nominees import api as nominees_api
from services.kit.notifications.mail import mailing_of
from services.kit.notifications.sender import MailSender
from services.kit.openapi import declare_refusals
from services.kit.outcomes import api as outcomes_api
from services.kit.papers import api as papers_api
from services.kit.proposals import api as proposals_api
from services.kit.registry import api as registry_api
from services.kit.reorganization import api as reorganization_api
from services.kit.reorganization.activities import ReorganizationActivities, TransferActivities
from services.kit.reviews import api as reviews_api
from services.kit.statistics import api as statistics_api
from services.kit.supervision import Supervisor, WorkerRuns, temporal_server
from services.kit.temporal_calls import connect_when_up
from services.kit.tracking import api as tracking_api
from services.kit.workflow_client import NominationClient
from shared.contracts import activities as interfaces
from shared.contracts.activities import bound
from shared.contracts.events import EVENT_TYPES
from shared.platform import blobs
from shared.platform.audit import AgencyLogClosed
from shared.platform.consumer import EventConsumer, Handler, SaysAssignments, merge_handlers
from shared.platform.db import make_engine, session_factory, transaction
from shared.platform.logs import configure_logging
from shared.platform.outbox import OutboxRelay, durability_of
from shared.platform.processes import shared_dir
from shared.platform.settings import ServiceSettings
from shared.platform.signing import Signer
from shared.rules.deadlines import DeadlineTable

log = structlog.get_logger()

ACCESS = (
    "Every route needs an officer's bearer token (POST /auth/login) and is scoped to the officer's agency and "
    "role, except the public ones, which say so: liveness, logging in, the agency registry, the award catalog "
    "and known reorganization plans, public consultation notices and their comment form, and tracking by code."
)

# Every domain's routes, in the order the OpenAPI document lists them.
DOMAINS = (
    identity_api,
    identity_admin_api,
    proposals_api,
    reviews_api,
    audit_api,
    catalog_api,
    registry_api,
    bodies_api,
    nominees_api,
    erasure_api,
    reorganization_api,
    dossier_api,
    councils_api,
    consultation_api,
    outcomes_api,
    delegations_api,
    tracking_api,
    movements_api,
    clusters_api,
    batches_api,
    statistics_api,
    papers_api,
    events_api,
)


@dataclass
class Kit:
    settings: ServiceSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    temporal: Client
    nominations: NominationClient
    relay: OutboxRelay
    events: EventConsumer | None = None
    supervisor: Supervisor | None = None


def create_app(
    settings: ServiceSettings,
    *,
    title: str,
    description: str,
    handlers: dict[str, Handler] | None = None,
    routers: tuple = (),
) -> FastAPI:
    all_handlers = merge_handlers(kit_handlers(mailing_of(settings)), audit_handlers(settings), handlers or {})

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(settings.log_level, service=f"tdkt-{settings.tier.value}")
        blobs.use_store(settings.object_store_url, settings.object_store_options())
        engine = make_engine(settings.database_url)
        sessions = session_factory(engine)
        producer = AIOKafkaProducer(bootstrap_servers=settings.kafka_bootstrap_servers, acks="all", linger_ms=5)
        await producer.start()
        consumer = AIOKafkaConsumer(
            bootstrap_servers=settings.kafka_bootstrap_servers,
            group_id=settings.consumer_group,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            # How long the broker holds a fetch that finds nothing new. At 50 ms the four idle
            # consumers of the embedded run kept Tansu at 0.66 of a core doing nothing; at 500 ms
            # (Kafka's default) 0.05, and an event still arrives within about 50 ms (measured).
            fetch_max_wait_ms=500,
        )
        consumer.subscribe(sorted({_topic_of(t) for t in all_handlers}), listener=SaysAssignments())
        await consumer.start()
        temporal = await connect_when_up(settings.temporal_address, settings.temporal_namespace)
        await bootstrap_admin(sessions, settings)
        relay = OutboxRelay(sessions, producer, poll_ms=settings.outbox_poll_ms, durability=durability_of(settings))
        activities = tier_activities(
            sessions, relay.wake, settings.tier.value, real_clock(settings.business_date),
            signer=lambda: signer_of(settings),
        )  # fmt: skip
        worker = WorkerRuns(lambda: Worker(temporal, task_queue=settings.tier.task_queue, activities=activities))
        events = EventConsumer(
            consumer, producer, sessions, all_handlers, max_attempts=settings.consumer_max_attempts,
            group=settings.consumer_group,
        )  # fmt: skip
        relay.reader = events
        supervisor = Supervisor(on_restart=metrics.task_restarted)
        supervisor.start("outbox-relay", relay.run)
        supervisor.start("event-consumer", events.run)
        supervisor.start("temporal-worker", worker.run, stop=worker.shutdown)
        supervisor.start("audit-checkpoints", lambda: checkpoints(sessions, settings, relay.wake))
        if settings.mail_enabled:
            supervisor.start("mail-sender", MailSender(sessions, settings).run)
        # Which nominations travel in a BatchWorkflow: read without the write lock, since a request
        # may hold it while it asks (decision 0042).
        reader = make_engine(settings.database_url, writer=False) if engine.dialect.name == "sqlite" else engine
        locate = batch_members(session_factory(reader))
        nominations = NominationClient(temporal, locate=locate, together=settings.batch_workflows)
        kit = Kit(settings, engine, sessions, temporal, nominations, relay, events, supervisor)
        app.state.kit = kit
        if shared_dir() is not None:  # one of several processes: its part of /metrics kept current
            supervisor.start("metrics", lambda: metrics.keep_fresh(kit))
        log.info(
            "service.started",
            tier=settings.tier.value,
            task_queue=settings.tier.task_queue,
            mail=f"{settings.smtp_host}:{settings.smtp_port}" if settings.mail_enabled else "off",
        )
        try:
            yield
        finally:
            await supervisor.stop()  # the worker through its shutdown, the others cancelled
            await consumer.stop()
            await producer.stop()
            await engine.dispose()
            await reader.dispose()
            log.info("service.stopped", tier=settings.tier.value)

    # The OpenAPI pages' scripts and styles are served by the service itself: many government
    # networks have no internet, and a CDN-backed /docs renders blank there.
    app = FastAPIOffline(title=title, description=f"{description}\n\n{ACCESS}", version="0.1.0", lifespan=lifespan)

    app.add_middleware(BodyLimit)
    app.middleware("http")(guarded())
    metrics = app.state.metrics = Metrics()
    app.middleware("http")(measured(metrics))

    @app.get(
        "/ready",
        tags=["ops"],
        summary="Readiness (no authentication): the database answers and every background task (outbox relay, "
        "event consumer, Temporal worker, mail sender) runs; with consumer lag, outbox backlog and dead letters, "
        "and whether Temporal and the broker answer (said, not required). "
        "503 with what is wrong otherwise",
        responses={503: {"description": "Not ready: the same body says what is wrong"}},
    )
    async def ready(request: Request) -> JSONResponse:
        kit = request.app.state.kit
        try:
            state, database = await metrics.refresh(kit), "ok"
        except Exception as err:  # noqa: BLE001 - whatever the database says, readiness reports it
            state, database = {}, f"unavailable: {type(err).__name__}"
        supervisor: Supervisor | None = getattr(kit, "supervisor", None)
        tasks = supervisor.report() if supervisor is not None else {}
        ok = database == "ok" and (supervisor is None or supervisor.all_running)
        # Said, not required: without Temporal the service still answers reads, and what needs the
        # workflows answers 503 within its bound (decision 0033).
        worker = {
            "task": tasks.get("temporal-worker", {}).get("state"),
            "server": await temporal_server(getattr(kit, "temporal", None)),
        }
        body = {"ready": ok, "database": database, "tasks": tasks, "temporal_worker": worker, **state}
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get(
        "/metrics",
        tags=["ops"],
        summary="Prometheus metrics (no authentication: counts only)",
        response_class=PlainTextResponse,
    )
    async def prometheus(request: Request) -> Response:
        await metrics.refresh(request.app.state.kit)
        return metrics.page()

    @app.get("/health", tags=["ops"], summary="Liveness (no authentication)")
    async def health(config: ServiceSettings = Depends(deps.settings)) -> dict[str, str]:
        return {"status": "ok", "tier": config.tier.value, "business_date": config.today().isoformat()}

    for domain in DOMAINS:
        app.include_router(domain.router)
    for extra in routers:
        app.include_router(extra)

    @app.exception_handler(DomainError)
    async def _refused(request: Request, exc: DomainError) -> Response:
        if console.is_console(request):  # a person reads the refusal on a page
            return console.refusal_page(request, exc)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status)

    @app.exception_handler(AgencyLogClosed)
    async def _log_closed(request: Request, exc: AgencyLogClosed) -> Response:
        # An act for an agency whose log a reorganization closed (decision 0039): nothing was written.
        return await _refused(request, Conflict(exc.message, "AgencyLogClosed", vi=exc.vi))

    @app.exception_handler(OperationalError)
    async def _busy(request: Request, exc: OperationalError) -> Response:
        busy = database_busy(exc)  # nothing of the request was written: 503, try again
        if busy is None:
            raise exc
        log.warning("db.busy", path=request.url.path)
        answer = await _refused(request, busy)
        answer.headers["Retry-After"] = "5"
        return answer

    @app.exception_handler(RequestValidationError)
    async def _readable_422(_: Request, exc: RequestValidationError) -> JSONResponse:
        # Where and what, never the input itself: a 5 MB body must not come back as a 5 MB error.
        errors = [{"loc": e["loc"], "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        problems = [f"{'.'.join(str(p) for p in e['loc'] if p != 'body')}: {e['msg']}" for e in errors]
        return JSONResponse({"detail": "; ".join(problems), "errors": errors}, status_code=422)

    console.install(app)
    declare_refusals(app)
    return app


def _topic_of(event_type: str) -> str:
    return EVENT_TYPES[event_type].topic


def tier_activities(
    sessions: async_sessionmaker[AsyncSession],
    on_commit: Callable[[], None],
    tier: str,
    business_now: Callable[[datetime], datetime],
    *,
    deadlines: DeadlineTable | None = None,
    signer: Callable[[], Signer] | None = None,
) -> list[Callable[..., Any]]:
    """Every activity a tier's worker runs; mypy checks each implementation against its interface.

    `deadlines` replaces the configured deadline table (tests of the clock use short ones);
    `signer` gives the service's audit key (the succession activities need it).
    """
    recorder = NominationActivities(sessions, on_commit, tier)
    clocks = LifecycleActivities(sessions, on_commit, tier, business_now=business_now, deadlines=deadlines)
    nominations: interfaces.NominationActivities = recorder
    lifecycle: interfaces.LifecycleActivities = clocks
    transfers: interfaces.TransferActivities = TransferActivities(sessions, on_commit, tier)
    plans: interfaces.ReorganizationActivities = ReorganizationActivities(sessions, on_commit, tier)
    logs: interfaces.SuccessionActivities = SuccessionActivities(sessions, on_commit, tier, signer)
    batches: interfaces.BatchStepActivities = BatchStepActivities(sessions, on_commit, tier, recorder, clocks)
    return [
        *bound(interfaces.BatchStepActivities, batches),
        *bound(interfaces.NominationActivities, nominations),
        *bound(interfaces.LifecycleActivities, lifecycle),
        *bound(interfaces.TransferActivities, transfers),
        *bound(interfaces.ReorganizationActivities, plans),
        *bound(interfaces.SuccessionActivities, logs),
    ]


async def bootstrap_admin(sessions: async_sessionmaker[AsyncSession], settings: ServiceSettings) -> None:
    """The deployment's first admin, when BOOTSTRAP_ADMIN_* name one for an agency of this tier."""
    if not (
        settings.bootstrap_admin_agency and settings.bootstrap_admin_username and settings.bootstrap_admin_password
    ):
        return
    async with transaction(sessions) as session:
        created = await ensure_admin(
            session,
            tier=settings.tier.value,
            agency_code=settings.bootstrap_admin_agency,
            username=settings.bootstrap_admin_username,
            password=settings.bootstrap_admin_password.get_secret_value(),
        )
    if created is not None:
        log.info("identity.admin_bootstrapped", officer_id=created.id)
