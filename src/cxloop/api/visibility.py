"""What a caller may see of a customer: one place, used by the REST API and the web pages.

Without ``pii.read`` profiles come masked; without ``raw_text.read`` timeline texts are
withheld. Seeing a profile unmasked is written to the audit log.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from cxloop.accounts import Permission
from cxloop.customers import mask_customer
from cxloop.customers.schemas import CustomerPage, CustomerRead
from cxloop.interactions import without_text
from cxloop.interactions.schemas import TimelinePage
from cxloop.privacy import audit


def visible_customer(
    session: Session,
    customer: CustomerRead,
    *,
    permissions: frozenset[Permission],
    actor: str,
    ip: str | None,
) -> CustomerRead:
    if Permission.pii_read not in permissions:
        return mask_customer(customer)
    audit(
        session,
        actor=actor,
        action="pii.viewed",
        target_type="customer",
        target_id=customer.id,
        ip=ip,
    )
    return customer


def visible_customers(page: CustomerPage, *, permissions: frozenset[Permission]) -> CustomerPage:
    """Search results (not audited one by one: a list is not a look at one person)."""
    if Permission.pii_read in permissions:
        return page
    return page.model_copy(update={"items": [mask_customer(c) for c in page.items]})


def visible_timeline(page: TimelinePage, *, permissions: frozenset[Permission]) -> TimelinePage:
    return page if Permission.raw_text_read in permissions else without_text(page)
