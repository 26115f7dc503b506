"""Signed webhooks over real HTTP: verifiable by a Standard Webhooks receiver, retried on
5xx, refused on 4xx."""

from __future__ import annotations

import orjson
import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from cxloop.outreach import WebhookRejected, WebhookSender, WebhookUnavailable
from tests.outreach.http_receiver import WEBHOOK_SECRET as SECRET
from tests.outreach.http_receiver import receiver


def test_a_receiver_verifies_the_signature() -> None:
    with receiver() as hook:
        sender = WebhookSender(hook.url, SECRET)
        assert sender.send("msg-1", "survey.invitation", {"link": "https://x/s/i/abc"}) == 1
    (got,) = hook.received
    payload = Webhook(SECRET).verify(got.body, got.headers)
    assert payload["type"] == "survey.invitation" and payload["data"] == {
        "link": "https://x/s/i/abc"
    }
    assert got.headers["webhook-id"] == "msg-1"
    tampered = orjson.dumps({**orjson.loads(got.body), "data": {"link": "https://evil"}})
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(tampered, got.headers)


def test_server_errors_are_retried_with_the_same_id_and_refusals_are_not() -> None:
    waits: list[float] = []
    with receiver() as hook:
        hook.answers = [503, 500, 200, 410]
        sender = WebhookSender(hook.url, SECRET, retries=3, sleep=waits.append)
        assert sender.send("msg-2", "survey.invitation", {}) == 3
        with pytest.raises(WebhookRejected, match="410"):
            sender.send("msg-3", "survey.invitation", {})
    assert [r.headers["webhook-id"] for r in hook.received] == ["msg-2"] * 3 + ["msg-3"]
    assert waits == [0.5, 1.0]


def test_an_unreachable_receiver_is_reported_after_the_retries() -> None:
    with receiver() as hook:
        url = hook.url  # closed when the block ends: nothing listens there any more
    waits: list[float] = []
    sender = WebhookSender(url, SECRET, retries=2, sleep=waits.append)
    with pytest.raises(WebhookUnavailable, match="Connection refused"):
        sender.send("msg-4", "survey.invitation", {})
    assert waits == [0.5, 1.0]
