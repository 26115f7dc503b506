"""Accounts: users, roles, departments, API tokens and the secrets behind them."""

from cxloop.accounts import secrets
from cxloop.accounts.models import ApiToken, Department, Role, User
from cxloop.accounts.schemas import DepartmentRead, TokenRead, UserCreate, UserRead
from cxloop.accounts.service import (
    SCOPES,
    authenticate,
    create_token,
    create_user,
    ensure_department,
    user_by_email,
    user_for_token,
)

__all__ = [
    "SCOPES",
    "ApiToken",
    "Department",
    "DepartmentRead",
    "Role",
    "TokenRead",
    "User",
    "UserCreate",
    "UserRead",
    "authenticate",
    "create_token",
    "create_user",
    "ensure_department",
    "secrets",
    "user_by_email",
    "user_for_token",
]
