"""Is this request from Slack? Checked on the raw bytes, before anything reads the body.

slack_sdk's `SignatureVerifier` does the HMAC and the five-minute window. It assumes
well-formed headers (`int(timestamp)`, an ASCII signature) and a UTF-8 body, and raises otherwise; a raise
there used to reach Bolt's error handler, which answered through the `response_url` of
the unverified body. So the headers' shape is checked first, and any doubt is a refusal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from slack_sdk.signature import SignatureVerifier

TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")


class StrictSignatureVerifier(SignatureVerifier):
    """`SignatureVerifier` that says False, never raises, for headers Slack would not send."""

    def is_valid(self, body: str | bytes, timestamp: str | None, signature: str | None) -> bool:
        if timestamp is None or signature is None:
            return False
        if not TIMESTAMP.fullmatch(timestamp) or not SIGNATURE.fullmatch(signature):
            return False
        if isinstance(body, bytes):
            try:
                body = body.decode("utf-8")  # Slack's bodies are UTF-8; anything else is not Slack's
            except UnicodeDecodeError:
                return False
        return bool(super().is_valid(body=body, timestamp=timestamp, signature=signature))

    def is_valid_request(self, body: str | bytes, headers: Mapping[str, str]) -> bool:
        lowered = {name.lower(): value for name, value in headers.items()}
        return self.is_valid(body, lowered.get("x-slack-request-timestamp"), lowered.get("x-slack-signature"))
