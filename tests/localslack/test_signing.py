"""The stand-in signs requests the way Slack does: slack_sdk's own verifier accepts them."""

from __future__ import annotations

import time

from slack_sdk.signature import SignatureVerifier

from bot.localslack.signing import signed_headers

BODY = b"command=%2Fshifts&text=IA&user_id=UVOL1"


def test_signed_requests_pass_slack_sdks_verifier() -> None:
    headers = signed_headers("s3cret", BODY, "application/x-www-form-urlencoded")
    assert SignatureVerifier("s3cret").is_valid_request(BODY, headers)


def test_a_wrong_secret_a_changed_body_or_an_old_timestamp_fail_verification() -> None:
    verifier = SignatureVerifier("s3cret")
    form = "application/x-www-form-urlencoded"
    assert not verifier.is_valid_request(BODY, signed_headers("other", BODY, form))
    assert not verifier.is_valid_request(BODY + b"&x=1", signed_headers("s3cret", BODY, form))
    stale = signed_headers("s3cret", BODY, form, timestamp=int(time.time()) - 301)
    assert not verifier.is_valid_request(BODY, stale)
