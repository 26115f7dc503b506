"""A customer only the billing department dealt with, and an agent in billing and in support:
what every route and page must show the first and hide from the second."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import User
from cxloop.cases import Case, CaseLink
from cxloop.interactions import Interaction
from tests.accounts.factories import make_user
from tests.cases.factories import make_case, make_department, make_interaction
from tests.customers.factories import make_customer

NAME = "Zoltan Quibblewick"
EMAIL = "zoltan.quibblewick@example.org"
PHONE = "+447700900123"
RAW_TEXT = "my card 4929 1234 5678 9012 was charged twice, call me on 07700 900123"
SECRETS = (NAME, EMAIL, PHONE, RAW_TEXT)


@dataclass
class BillingWorld:
    customer_id: int
    case: Case
    interaction: Interaction
    billing_agent: User
    support_agent: User

    def path(self, template: str) -> str:
        """A route's path with this world's ids in it (1 for any other id)."""
        ids = {
            "customer_id": self.customer_id,
            "case_id": self.case.id,
            "interaction_id": self.interaction.id,
        }
        return re.sub(r"\{([^}]+)\}", lambda m: str(ids.get(m.group(1), 1)), template)


def make_billing_world(session: Session) -> BillingWorld:
    billing = make_department(session, "billing")
    support = make_department(session, "support")
    customer = make_customer(session, name=NAME, email=EMAIL, phone=PHONE)
    case = make_case(
        session, department=billing, customer=customer, text=RAW_TEXT, redacted="[card] charged"
    )
    interaction = session.scalars(
        select(Interaction)
        .join(CaseLink, CaseLink.interaction_id == Interaction.id)
        .where(CaseLink.case_id == case.id)
    ).one()
    interaction.department_id = billing.id
    make_interaction(
        session, customer=customer, text=RAW_TEXT, department_id=billing.id, channel="chat"
    )
    session.flush()
    return BillingWorld(
        customer_id=customer.id,
        case=case,
        interaction=interaction,
        billing_agent=make_user(session, role="agent", departments=[billing.slug]),
        support_agent=make_user(session, role="agent", departments=[support.slug]),
    )


def leaks(body: str) -> list[str]:
    """Which of the world's personal data and raw text appear in ``body``."""
    return [secret for secret in SECRETS if secret in body]
