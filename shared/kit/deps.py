"""FastAPI dependencies every router uses: the request's transaction, the workflow port, roles."""

from fastapi import Request

from shared.kit.nominations import NominationClient

PROPOSING_ROLES = ("clerk", "admin")
DECIDING_ROLES = ("chair", "admin")


async def db(request: Request):  # type: ignore[no-untyped-def]
    """One transaction per request: committed when the route returns, rolled back on error.

    Use it with `scope="function"`: FastAPI's default request scope would commit only after the
    response is sent, so a client could act on a 201 before its row exists.
    """
    async with request.app.state.kit.sessions() as session, session.begin():
        yield session


def workflows(request: Request) -> NominationClient:
    return request.app.state.kit.nominations
