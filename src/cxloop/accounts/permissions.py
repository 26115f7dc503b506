"""What each role may do: one matrix, checked in one place for the API, the web and the CLI.

Built-in roles cover most companies; a custom role is a named set of these permissions
(stored in ``custom_roles``). Department scope narrows what an agent sees of cases, raw text
and personal data to their own departments' work.
"""

from __future__ import annotations

import enum
from collections.abc import Collection


class Permission(enum.StrEnum):
    customers_read = "customers.read"
    """Search customers, read profiles and timelines (personal data masked without pii.read)."""
    pii_read = "pii.read"
    """See names, emails, phones, identities and traits unmasked (audited)."""
    raw_text_read = "raw_text.read"
    """See what customers wrote as they wrote it, before redaction."""
    interactions_write = "interactions.write"
    """Log interactions (calls, visits, chats) and record consent given to staff."""
    sources_manage = "sources.manage"
    """Create ingest sources and their write keys, and their mappings."""
    surveys_read = "surveys.read"
    surveys_manage = "surveys.manage"
    understanding_read = "understanding.read"
    understanding_manage = "understanding.manage"
    """Edit the taxonomy, train and deploy models."""
    metrics_read = "metrics.read"
    alerts_manage = "alerts.manage"
    """Add, change and remove alert rules and scheduled metric reports."""
    cases_read = "cases.read"
    """See cases and queues (of one's own departments, unless cases.all_departments)."""
    cases_work = "cases.work"
    """Take, answer, note, tag, solve, merge and transfer cases; be assigned cases."""
    cases_manage = "cases.manage"
    """Set up opening and routing rules, SLA policies, calendars, templates and problems."""
    cases_all_departments = "cases.all_departments"
    """See and work cases of every department, and read raw text and personal data of every
    department's work, not only one's own."""
    experiments_read = "experiments.read"
    """See experiments, their arms, exposure and results."""
    experiments_manage = "experiments.manage"
    """Create, start and stop experiments; assign customers and log their exposure."""
    privacy_manage = "privacy.manage"
    """Handle data subject requests and retention policies."""
    audit_read = "audit.read"
    users_manage = "users.manage"
    """Users, roles, departments and their tokens."""


ALL = frozenset(Permission)
_READ = frozenset(
    {
        Permission.customers_read,
        Permission.surveys_read,
        Permission.understanding_read,
        Permission.metrics_read,
        Permission.cases_read,
    }
)

BUILTIN_ROLES: dict[str, frozenset[Permission]] = {
    "admin": ALL,
    "analyst": _READ
    | {
        Permission.surveys_manage,
        Permission.understanding_manage,
        Permission.alerts_manage,
        Permission.cases_all_departments,
        Permission.experiments_read,
        Permission.experiments_manage,
    },
    "agent": _READ
    | {
        Permission.pii_read,
        Permission.raw_text_read,
        Permission.interactions_write,
        Permission.cases_work,
    },
    "viewer": _READ,
}


def parse_permissions(values: list[str]) -> frozenset[Permission]:
    """Permissions by name; an unknown one is a ValueError naming the known ones."""
    known = {p.value: p for p in Permission}
    unknown = [v for v in values if v not in known]
    if unknown:
        raise ValueError(f"unknown permission '{unknown[0]}' (known: {', '.join(sorted(known))})")
    return frozenset(known[v] for v in values)


def in_department_scope(
    permissions: Collection[Permission],
    own: Collection[int],
    departments: Collection[int | None],
) -> bool:
    """Whether work tied to ``departments`` (an interaction's, a case's, or every department a
    customer dealt with) is the caller's to read in full.

    Work tied to no department is nobody's in particular, so everyone's; otherwise the caller
    must belong to one of its departments, or hold ``cases.all_departments``.
    """
    tied = {d for d in departments if d is not None}
    return Permission.cases_all_departments in permissions or not tied or bool(tied & set(own))
