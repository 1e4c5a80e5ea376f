"""The events every tier applies, by type."""

from services.kit.bodies.handlers import BODY_HANDLERS
from services.kit.clusters.handlers import CLUSTER_HANDLERS
from services.kit.erasure.handlers import ERASURE_GUARDS, ERASURE_HANDLERS
from services.kit.movements.handlers import MOVEMENT_HANDLERS
from services.kit.nominations.handlers import PROPOSER_HANDLERS
from services.kit.nominees.handlers import HISTORY_HANDLERS
from services.kit.notifications.handlers import notification_handlers
from services.kit.notifications.mail import Mailing
from services.kit.outcomes.handlers import CHANGE_HANDLERS
from services.kit.statistics.handlers import STATISTICS_HANDLERS
from services.kit.tracking.handlers import TRACKING_HANDLERS
from shared.platform.consumer import Handler, merge_handlers


def kit_handlers(mailing: Mailing | None = None) -> dict[str, Handler]:
    """With `mailing`, notifications also go by e-mail (the service has SMTP configured). The erasure
    guards run first: what they blank in an event about an erased nominee, no later handler keeps."""
    return merge_handlers(
        ERASURE_GUARDS,
        PROPOSER_HANDLERS,
        HISTORY_HANDLERS,
        CHANGE_HANDLERS,
        TRACKING_HANDLERS,
        notification_handlers(mailing),
        BODY_HANDLERS,
        MOVEMENT_HANDLERS,
        CLUSTER_HANDLERS,
        STATISTICS_HANDLERS,
        ERASURE_HANDLERS,
    )


KIT_HANDLERS = kit_handlers()
