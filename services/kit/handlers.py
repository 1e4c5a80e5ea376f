"""The events every tier applies, by type."""

from services.kit.bodies.handlers import BODY_HANDLERS
from services.kit.nominations.handlers import PROPOSER_HANDLERS
from services.kit.nominees.handlers import HISTORY_HANDLERS
from services.kit.notifications.handlers import NOTIFICATION_HANDLERS
from services.kit.outcomes.handlers import CHANGE_HANDLERS
from services.kit.tracking.handlers import TRACKING_HANDLERS
from shared.platform.consumer import merge_handlers

KIT_HANDLERS = merge_handlers(
    PROPOSER_HANDLERS, HISTORY_HANDLERS, CHANGE_HANDLERS, TRACKING_HANDLERS, NOTIFICATION_HANDLERS, BODY_HANDLERS
)
