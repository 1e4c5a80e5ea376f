"""What every route may answer besides its success, declared once in the OpenAPI document.

The routes declare their success; the refusals come from handlers every route shares: a
`DomainError` (`{"detail": ...}` with its status), the readable 422 of a request that does not
parse (`{"detail": "where: what", "errors": [...]}`, never the input), the token check (401), the
body limit (413), the rate limit (429) and a workflow that does not answer (503). Declaring them
route by route would be a hundred copies of one rule; this step adds them to the document the app
generates, by what a route has (a token, a body, a rate, a workflow), so the schema says what
the services really send (checked by tests/integration/kit/test_schema_fuzz.py).
"""

import re
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts

from services.kit.deps import temporal, workflows
from services.kit.guards import RATES

REFUSAL: dict[str, Any] = {
    "title": "Refusal",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "anyOf": [{"type": "string"}, {"type": "object"}],
            "description": "What was wrong, in a sentence a person can act on (a verdict object where the "
            "rules explain themselves)",
        }
    },
}
UNREADABLE: dict[str, Any] = {
    "title": "Unreadable",
    "type": "object",
    "required": ["detail"],
    "properties": {
        "detail": {
            "anyOf": [{"type": "string"}, {"type": "object"}],
            "description": "Where and what, for every field that does not parse ('body.year: …'); never the "
            "input itself",
        },
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["loc", "msg", "type"],
                "properties": {
                    "loc": {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "integer"}]}},
                    "msg": {"type": "string"},
                    "type": {"type": "string"},
                },
            },
        },
    },
}
# Status → what it means, for the refusals a route may give by what it has.
ANY_ROUTE = {
    "400": "The request is refused as it stands (a body that does not parse, a rule it breaks): the detail says why",
    "404": "Not found for this caller (another agency's records look absent too)",
    "409": "Not allowed in the current state (already decided, not pending, stored bytes tampered with)",
}
WITH_TOKEN = {
    "401": "No valid token: missing, unknown, expired or revoked (log in again)",
    "403": "The caller's role or agency may not do this",
}
WITH_BODY = {
    "413": "The body or a file in it is larger than the service takes (refused before it is read)",
    "415": "A file of a type this route does not take",
}
RATED = {"429": "Too many requests from this address: try again after Retry-After seconds"}
NEEDS_WORKFLOWS = {"503": "Temporal or the worker does not answer now: nothing was recorded; try again"}
# A route named like a file answers that file, not JSON (papers, reports, charts).
FILES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".svg": "image/svg+xml",
    ".csv": "text/csv",
}
UNPARSED = "The request does not parse, or says something the rules refuse: the detail says where and what"


def declare_refusals(app: FastAPI) -> None:
    """Make `app.openapi()` add the shared refusals to the document FastAPI generates."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_refusals(generate(), _waiting_routes(app))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def with_refusals(document: dict[str, Any], waiting: set[tuple[str, str]]) -> dict[str, Any]:
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Refusal"], schemas["Unreadable"] = REFUSAL, UNREADABLE
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if "ops" in operation.get("tags", ()):
                continue  # liveness, readiness and metrics declare their own answers
            responses = operation.setdefault("responses", {})
            if media := FILES.get(PurePosixPath(path).suffix):
                responses["200"]["content"] = served(media)
            statuses = dict(ANY_ROUTE)
            if operation.get("security"):
                statuses |= WITH_TOKEN
            if "requestBody" in operation:
                statuses |= WITH_BODY
            if _rated(method, path):
                statuses |= RATED
            if (method.upper(), path) in waiting:
                statuses |= NEEDS_WORKFLOWS
            for status, meaning in statuses.items():
                responses.setdefault(status, refusal(meaning))
            responses["422"] = refusal(UNPARSED, "Unreadable")
    return document


def refusal(description: str, schema: str = "Refusal") -> dict[str, Any]:
    """A refusal a route declares itself (`responses=`), for a status only it gives."""
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }


def served(*media_types: str) -> dict[str, Any]:
    """The `content` of an answer that is a file of one of `media_types` (a route's `responses=` too)."""
    return {media: {"schema": {"type": "string", "format": "binary"}} for media in media_types}


def _rated(method: str, path: str) -> bool:
    concrete = re.sub(r"\{[^}]+\}", "x", path)
    return any(method.upper() == rated and pattern.match(concrete) for rated, pattern, _ in RATES)


def _waiting_routes(app: FastAPI) -> set[tuple[str, str]]:
    """The routes that wait on Temporal (through `deps.workflows` or `deps.temporal`)."""
    return {
        (method, context.path_format or "")
        for context in iter_route_contexts(app.routes)
        if isinstance(route := context.original_route, APIRoute) and _depends_on(route.dependant, (workflows, temporal))
        for method in route.methods or ()
    }


def _depends_on(dependant: Any, calls: tuple[Callable[..., Any], ...]) -> bool:
    return dependant.call in calls or any(_depends_on(sub, calls) for sub in dependant.dependencies)
