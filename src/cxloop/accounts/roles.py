"""Roles: the built-in four and the company's own, each a set of permissions."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts.models import CustomRole
from cxloop.accounts.permissions import BUILTIN_ROLES, Permission, parse_permissions
from cxloop.errors import Conflict, ValidationFailed

_NAME = re.compile(r"^[a-z][a-z0-9_-]{1,31}$")


def permissions_for(session: Session, role: str) -> frozenset[Permission]:
    """What ``role`` allows; a role that no longer exists allows nothing."""
    builtin = BUILTIN_ROLES.get(role)
    if builtin is not None:
        return builtin
    custom = session.get(CustomRole, role)
    if custom is None:
        return frozenset()
    return parse_permissions(custom.permissions)


def role_exists(session: Session, role: str) -> bool:
    return role in BUILTIN_ROLES or session.get(CustomRole, role) is not None


def create_role(
    session: Session, *, name: str, permissions: list[str], description: str = ""
) -> CustomRole:
    if not _NAME.match(name):
        raise ValidationFailed(
            "a role name is 2 to 32 lower-case letters, digits, '-' or '_'", field="name"
        )
    if role_exists(session, name):
        raise Conflict(f"role '{name}' already exists", field="name")
    try:
        granted = parse_permissions(permissions)
    except ValueError as exc:
        raise ValidationFailed(str(exc), field="permissions") from exc
    role = CustomRole(name=name, description=description, permissions=sorted(granted))
    session.add(role)
    session.flush()
    return role


def list_roles(session: Session) -> dict[str, frozenset[Permission]]:
    """Every role with its permissions, built-in first."""
    roles = dict(BUILTIN_ROLES)
    for custom in session.scalars(select(CustomRole).order_by(CustomRole.name)):
        roles[custom.name] = parse_permissions(custom.permissions)
    return roles
