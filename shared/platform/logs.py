"""structlog JSON logs; nomination id, workflow id, agency and event id travel as contextvars."""

import logging
import sys
from contextvars import ContextVar

import structlog

# The HTTP request being served, if any (services/kit/metrics.py sets it): its log lines carry it and
# the events its transaction publishes name it.
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)


def configure_logging(level: str = "INFO", service: str = "tdkt") -> None:
    logging.basicConfig(stream=sys.stderr, level=level, format="%(message)s")
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(ensure_ascii=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.bind_contextvars(service=service)
