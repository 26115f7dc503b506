"""Personal data masked for people whose role may find customers but not see who they are.

Masks keep enough to tell two records apart and to confirm a detail the customer gives
("the email starting with a, at example.com"), never enough to contact or identify them.
"""

from __future__ import annotations

from cxloop.customers.schemas import CustomerRead, IdentityRead

HIDDEN = "•••"


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}{HIDDEN}@{domain}" if domain else mask_text(value)


def mask_phone(value: str) -> str:
    return f"{value[:3]}{HIDDEN}{value[-2:]}" if len(value) > 6 else HIDDEN


def mask_name(value: str) -> str:
    """Initials: ``Ana Silva`` becomes ``A. S.``"""
    return " ".join(f"{part[:1]}." for part in value.split() if part) or HIDDEN


def mask_text(value: str) -> str:
    return f"{value[:2]}{HIDDEN}" if len(value) > 4 else HIDDEN


_BY_KIND = {"email": mask_email, "phone": mask_phone}


def mask_customer(customer: CustomerRead) -> CustomerRead:
    """The profile without its personal data: masked contact details and identities, and no
    traits (any of them may be personal; which ones is the company's business)."""
    return customer.model_copy(
        update={
            "name": mask_name(customer.name) if customer.name else None,
            "email": mask_email(customer.email) if customer.email else None,
            "phone": mask_phone(customer.phone) if customer.phone else None,
            "traits": {},
            "masked": True,
            "identities": [
                IdentityRead(
                    kind=i.kind,
                    namespace=i.namespace,
                    value=_BY_KIND.get(i.kind, mask_text)(i.value),
                )
                for i in customer.identities
            ],
        }
    )
