"""Customers: profiles, the identities that point at them, identity resolution and merges."""

from cxloop.customers.identity import IdentityKey, key, normalize_email, normalize_phone
from cxloop.customers.models import Customer, Identity, IdentityKind, Merge

__all__ = [
    "Customer",
    "Identity",
    "IdentityKey",
    "IdentityKind",
    "Merge",
    "key",
    "normalize_email",
    "normalize_phone",
]
