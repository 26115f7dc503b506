"""Customers: profiles, the identities that point at them, identity resolution and merges."""

from cxloop.customers.identity import IdentityKey, key, normalize_email, normalize_phone
from cxloop.customers.models import Customer, Identity, IdentityKind, Merge
from cxloop.customers.profiles import ProfileIn, ProfileResult, upsert_profiles
from cxloop.customers.resolution import Resolver

__all__ = [
    "Customer",
    "Identity",
    "IdentityKey",
    "IdentityKind",
    "Merge",
    "ProfileIn",
    "ProfileResult",
    "Resolver",
    "key",
    "normalize_email",
    "normalize_phone",
    "upsert_profiles",
]
