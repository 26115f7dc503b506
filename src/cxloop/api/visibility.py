"""What a caller may see of a customer: one place, used by the REST API and the web pages.

Without ``pii.read`` profiles come masked; without ``raw_text.read`` texts are withheld. Both
are narrowed by department scope (``accounts.in_department_scope``): an agent reads the raw
text of their own departments' interactions (and of those tied to none), and sees unmasked
only the customers whose interactions and cases touch one of their departments, or none at
all. Seeing a profile unmasked is written to the audit log.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from cxloop.accounts import Permission, User, in_department_scope, permissions_for
from cxloop.cases import Case
from cxloop.customers import mask_customer
from cxloop.customers.masking import mask_name
from cxloop.customers.schemas import CustomerPage, CustomerRead
from cxloop.interactions import Interaction, without_text
from cxloop.interactions.schemas import TimelinePage
from cxloop.privacy import audit
from cxloop.proactive import RiskRead


@dataclass(frozen=True)
class Viewer:
    """Who is looking: the role's permissions, the departments they belong to, and where from
    (for the audit log)."""

    actor: str
    permissions: frozenset[Permission]
    department_ids: frozenset[int]
    ip: str | None = None

    def can(self, permission: Permission) -> bool:
        return permission in self.permissions

    def reads_text(self, department_id: int | None) -> bool:
        """May read the raw text of an interaction of ``department_id``."""
        return self.can(Permission.raw_text_read) and in_department_scope(
            self.permissions, self.department_ids, [department_id]
        )

    @property
    def scoped(self) -> bool:
        """Whether department scope can hide anything from this viewer."""
        return Permission.cases_all_departments not in self.permissions

    def unmasked(self, session: Session, customer_ids: Iterable[int]) -> set[int]:
        """Of ``customer_ids``, the customers whose personal data this viewer may see."""
        wanted = set(customer_ids)
        if not self.can(Permission.pii_read) or not wanted:
            return set()
        if not self.scoped:
            return wanted
        touched = _departments_of(session, wanted)
        return {
            c
            for c in wanted
            if in_department_scope(self.permissions, self.department_ids, touched[c])
        }


def viewer_of(session: Session, user: User, ip: str | None) -> Viewer:
    return viewer_with(user, permissions_for(session, user.role), ip)


def viewer_with(user: User, permissions: frozenset[Permission], ip: str | None) -> Viewer:
    """A viewer whose permissions were already narrowed (a token's scope)."""
    return Viewer(
        actor=user.email,
        permissions=permissions,
        department_ids=frozenset(d.id for d in user.departments),
        ip=ip,
    )


def _departments_of(session: Session, customer_ids: Collection[int]) -> dict[int, set[int | None]]:
    """The departments each customer's interactions and cases are tied to."""
    ids = sorted(customer_ids)
    rows = session.execute(
        union(
            select(Interaction.customer_id, Interaction.department_id).where(
                Interaction.customer_id.in_(ids), Interaction.department_id.is_not(None)
            ),
            select(Case.customer_id, Case.department_id).where(
                Case.customer_id.in_(ids), Case.department_id.is_not(None)
            ),
        )
    )
    touched: dict[int, set[int | None]] = defaultdict(set)
    for customer_id, department_id in rows:
        touched[customer_id].add(department_id)
    return touched


def visible_customer(session: Session, customer: CustomerRead, *, viewer: Viewer) -> CustomerRead:
    if customer.id not in viewer.unmasked(session, [customer.id]):
        return mask_customer(customer)
    audit(
        session,
        actor=viewer.actor,
        action="pii.viewed",
        target_type="customer",
        target_id=customer.id,
        ip=viewer.ip,
    )
    return customer


def visible_customers(session: Session, page: CustomerPage, *, viewer: Viewer) -> CustomerPage:
    """Search results (not audited one by one: a list is not a look at one person)."""
    shown = viewer.unmasked(session, [c.id for c in page.items])
    return page.model_copy(
        update={"items": [c if c.id in shown else mask_customer(c) for c in page.items]}
    )


def visible_timeline(page: TimelinePage, *, viewer: Viewer) -> TimelinePage:
    return without_text(page, keep=lambda item: viewer.reads_text(item.department_id))


def visible_risks(session: Session, items: list[RiskRead], *, viewer: Viewer) -> list[RiskRead]:
    """Names as ``viewer`` may see them (initials where the profile would be masked)."""
    shown = viewer.unmasked(session, [r.customer_id for r in items])
    return [
        r
        if r.customer_id in shown or not r.name
        else r.model_copy(update={"name": mask_name(r.name)})
        for r in items
    ]
