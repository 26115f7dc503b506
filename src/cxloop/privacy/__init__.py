"""Privacy: consent per purpose, data subject requests (export, erasure) and the audit log."""

from cxloop.privacy.audit import (
    AUDIT_COLUMNS,
    SYSTEM,
    audit,
    audit_rows,
    count_recent,
    iter_audit,
    search_audit,
)
from cxloop.privacy.consent import (
    consent_history,
    consent_state,
    decisions_from_context,
    has_consent,
    purpose_of,
    record_consent,
    record_consents,
)
from cxloop.privacy.models import (
    AuditEntry,
    ConsentRecord,
    DataRequest,
    Purpose,
    RequestKind,
    RequestStatus,
)
from cxloop.privacy.requests import (
    collect_person,
    erase_person,
    fulfil,
    get_request,
    list_requests,
    open_request,
    person_ids,
)

__all__ = [
    "AUDIT_COLUMNS",
    "SYSTEM",
    "AuditEntry",
    "ConsentRecord",
    "DataRequest",
    "Purpose",
    "RequestKind",
    "RequestStatus",
    "audit",
    "audit_rows",
    "collect_person",
    "consent_history",
    "consent_state",
    "count_recent",
    "decisions_from_context",
    "erase_person",
    "fulfil",
    "get_request",
    "has_consent",
    "iter_audit",
    "list_requests",
    "open_request",
    "person_ids",
    "purpose_of",
    "record_consent",
    "record_consents",
    "search_audit",
]
