from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from cxloop.accounts import Role
from cxloop.understanding import enrich_interactions, shared_analyser
from tests.accounts.factories import make_user
from tests.customers.factories import make_customer
from tests.interactions.factories import make_interaction
from tests.understanding.factories import MODEL_DIR, make_billing_and_delivery, path
from tests.web.helpers import sign_in


def test_text_page_needs_sign_in(client: TestClient) -> None:
    response = client.get("/text", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_topics_sentiment_and_redacted_verbatims(client: TestClient, session: Session) -> None:
    make_billing_and_delivery(session)
    customer = make_customer(session, email="ann@example.com")
    now = datetime.now(UTC)
    texts = [
        ("email", "You charged me twice on card 4111 1111 1111 1111, this is a disgrace"),
        ("chat", "My parcel is late again and the courier never called"),
        ("phone", "Thanks, the refund arrived quickly"),
    ]
    made = [
        make_interaction(
            session,
            customer_id=customer.id,
            channel=channel,
            text=text,
            occurred_at=now - timedelta(days=i + 1),
        )
        for i, (channel, text) in enumerate(texts)
    ]
    enrich_interactions(session, shared_analyser(MODEL_DIR), [i.id for i in made])
    sign_in(client, make_user(session, role=Role.analyst).email)

    page = client.get("/text?days=30")
    assert page.status_code == 200
    html = page.text
    assert "3 texts understood" in html
    assert path("Billing", "Unexpected charge") in html and "Delivery" in html
    assert '<mark class="pii" title="personal data, redacted">[CARD]</mark>' in html
    assert "4111" not in html

    only_chat = client.get("/text?days=30&channel=chat").text
    assert "1 texts understood" in only_chat and "courier" in only_chat
    assert "disgrace" not in only_chat
