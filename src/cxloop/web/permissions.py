"""The permission matrix for pages: the same check the API makes, for the signed-in user."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cxloop.accounts import Permission, User, permissions_for
from cxloop.errors import Forbidden


def user_can(session: Session, user: User, permission: Permission) -> bool:
    return permission in permissions_for(session, user.role)


def require_permission(session: Session, user: User, permission: Permission) -> None:
    """Refuse the page (HTTP 403, shown as an error page) to a role without ``permission``."""
    if not user_can(session, user, permission):
        raise Forbidden(
            f"this page needs the permission {permission.value}, which the role "
            f"'{user.role}' does not have; ask an admin"
        )
