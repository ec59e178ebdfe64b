"""The bot's Web API client: one configured `WebClient`.

Every call goes through `SLACK_API_URL`. Rate limits (HTTP 429 with Retry-After), Slack's
5xx answers and dropped connections are retried by slack_sdk's own retry handlers. A call
Slack does not answer within `TIMEOUT` seconds raises (a timeout is never retried here: the
request may have been done, so resending it is left to `bot.slack.delivery`, which checks).
"""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import default_interval_calculator
from slack_sdk.http_retry.interval_calculator import RetryIntervalCalculator

from bot.config import Settings

logger = logging.getLogger(__name__)
TIMEOUT = 10


def make_client(
    settings: Settings,
    *,
    token: str | None = None,
    timeout: float = TIMEOUT,
    retry_interval: RetryIntervalCalculator = default_interval_calculator,
) -> WebClient:
    """A client with `token`: by default SLACK_BOT_TOKEN with one workspace, and none in a
    coalition, where each workspace's token comes from its installation (`bot.slack.workspaces`)."""
    if token is None and not settings.distributed:
        token = settings.slack_bot_token or None
    return WebClient(
        token=token,
        base_url=settings.slack_api_url,
        timeout=timeout,  # type: ignore[arg-type]
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=retry_interval),
            RateLimitErrorRetryHandler(max_retry_count=5),
            ServerErrorRetryHandler(max_retry_count=3, interval_calculator=retry_interval),
        ],
    )
