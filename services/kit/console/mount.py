"""The console on a tier service: its pages, its scripts and styles (served here: many government
networks have no internet), and the redirect to the login page."""

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from services.kit.console import (
    admin,
    admin_agencies,
    admin_delegations,
    admin_reorganization,
    auditor,
    batch_decision,
    batches,
    clusters,
    council,
    council_roster,
    decisions,
    inbox_bulk,
    login,
    movements,
    nominees,
    notices,
    oidc,
    pages,
    papers,
    proposer,
    public,
    statistics,
)
from services.kit.console.rendering import HERE, render, said
from services.kit.console.session import LoginRequired, login_url
from services.kit.errors import DomainError

ROUTERS = (
    login.router,
    oidc.router,
    pages.router,
    inbox_bulk.router,
    batch_decision.router,
    proposer.router,
    nominees.router,
    council.router,
    council_roster.router,
    movements.router,
    clusters.router,
    batches.router,
    decisions.router,
    statistics.router,
    papers.router,
    auditor.router,
    admin.router,
    admin_agencies.router,
    admin_delegations.router,
    admin_reorganization.router,
    public.router,
    notices.router,
)


def install(app: FastAPI) -> None:
    """Mount the console on a tier service: its pages, its scripts and styles (served here:
    many government networks have no internet), and the redirect to the login page."""
    for router in ROUTERS:
        app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=HERE / "static"), name="console-static")

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, exc: LoginRequired) -> Response:
        return RedirectResponse(login_url(exc.next_path), status_code=303)


def is_console(request: Request) -> bool:
    return request.url.path.startswith("/console")


def refusal_page(request: Request, refusal: DomainError) -> Response:
    """A refusal outside a form (a page of another agency, a role that may not read it) as a page."""
    return render(request, "refusal.html", status=refusal.status, error=said(request, refusal))
