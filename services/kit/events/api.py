"""Operating the service's events: replaying what its consumer parked on the dead-letter topic."""

from datetime import datetime

from fastapi import APIRouter, Depends, Request

from services.kit.errors import Conflict
from services.kit.events.schemas import ReplayOut
from services.kit.identity.auth import current_officer
from services.kit.identity.service import Caller, require
from shared.platform.dead_letters import replay_dead_letters

router = APIRouter()


@router.post(
    "/events/dead-letters/replay",
    response_model=ReplayOut,
    tags=["events"],
    summary="Apply again, once, the events this service's consumer parked on the dead-letter topic (admins)",
)
async def replay(request: Request, since: datetime | None = None, caller: Caller = Depends(current_officer)):
    require(caller, "replay_events", acting=False)
    kit = request.app.state.kit
    if getattr(kit, "events", None) is None:
        raise Conflict(
            "this service runs no event consumer, so it has no dead letters to replay",
            "NoConsumer",
            vi="dịch vụ này không chạy bộ nhận sự kiện nên không có sự kiện bị gác lại để xử lý lại",
        )
    done = await replay_dead_letters(kit.events, bootstrap=kit.settings.kafka_bootstrap_servers, since=since)
    return ReplayOut(**vars(done))
