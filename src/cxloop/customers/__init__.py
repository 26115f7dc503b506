"""Customers: profiles, the identities that point at them, identity resolution and merges."""

from cxloop.customers.exporting import CUSTOMER_COLUMNS, iter_customers
from cxloop.customers.identity import IdentityKey, key, normalize_email, normalize_phone
from cxloop.customers.importing import (
    IDENTITY_TARGETS,
    customer_mapping,
    identities_from_row,
    import_customers,
)
from cxloop.customers.masking import mask_customer
from cxloop.customers.models import Customer, Identity, IdentityKind, Merge
from cxloop.customers.profiles import ProfileIn, ProfileResult, upsert_profiles
from cxloop.customers.resolution import Resolver
from cxloop.customers.search import (
    get_customer,
    identities_by_customer,
    read_customer,
    resolve_customer_id,
    search_customers,
    search_page,
)

__all__ = [
    "CUSTOMER_COLUMNS",
    "IDENTITY_TARGETS",
    "Customer",
    "Identity",
    "IdentityKey",
    "IdentityKind",
    "Merge",
    "ProfileIn",
    "ProfileResult",
    "Resolver",
    "customer_mapping",
    "get_customer",
    "identities_by_customer",
    "identities_from_row",
    "import_customers",
    "iter_customers",
    "key",
    "mask_customer",
    "normalize_email",
    "normalize_phone",
    "read_customer",
    "resolve_customer_id",
    "search_customers",
    "search_page",
    "upsert_profiles",
]

from cxloop.customers import plugin as _plugin
from cxloop.hooks import register_builtin as _register

_register(_plugin, "cxloop.customers")
