"""How console pages are rendered: the templates, the words of the officer's language, the
session's CSRF token, and moments in Vietnam's time."""

from datetime import UTC, date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from services.kit.console.i18n import LANG_COOKIE, LANGUAGES, language, sentence, translator
from services.kit.console.session import COOKIE, csrf_of
from services.kit.errors import DomainError
from services.kit.identity.service import Caller
from services.kit.reorganization.service import central_board
from shared.rules.roles import may

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# Moments are stored in UTC and shown as the officers live them, in Vietnam's time.
templates.env.filters["local"] = lambda moment: (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(
    VIETNAM
)
# Days as offices write them (dd/mm/yyyy), from a date or the API's ISO text.
templates.env.filters["day"] = lambda day: (date.fromisoformat(day) if isinstance(day, str) else day).strftime(
    "%d/%m/%Y"
)
# What the officer's role allows, to offer only the forms it may use (the service checks again).
templates.env.globals["allowed"] = lambda caller, action: caller is not None and may(caller.role, action)


def admin_links(caller: Caller) -> list[tuple[str, str]]:
    """The admin pages the caller's role may use, for the menu: (address, word key)."""
    links = []
    if may(caller.role, "manage_officers"):
        links.append(("/console/officers", "nav.officers"))
    if may(caller.role, "register_agencies"):
        links.append(("/console/agencies", "nav.agencies"))
    if may(caller.role, "decide"):
        links.append(("/console/delegations", "nav.delegations"))
    if may(caller.role, "preview_reorganization") and caller.agency_code in central_board():
        links.append(("/console/reorganization", "nav.reorganization"))
    return links


templates.env.globals["admin_links"] = admin_links


def said(request: Request, refusal: DomainError) -> str:
    """A refusal in the page's language: the service's Vietnamese words where it gave them."""
    return sentence(language(request), refusal)


def render(request: Request, name: str, status: int = 200, caller: Caller | None = None, **context: Any) -> Response:
    lang = language(request)
    token = request.cookies.get(COOKIE)
    response = templates.TemplateResponse(
        request,
        name,
        {
            "t": translator(lang),
            "lang": lang,
            "other_lang": next(code for code in LANGUAGES if code != lang),
            "caller": caller,
            "csrf": csrf_of(token) if token else "",
            **context,
        },
        status_code=status,
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax", path="/")
    return response


def after_action(request: Request, url: str) -> Response:
    """Where a successful form sends the browser: a 303 for a plain form, HX-Redirect for htmx
    (which would otherwise follow the redirect inside its request and stay on the old address)."""
    if request.headers.get("HX-Request") == "true":
        return Response(status_code=200, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)
