"""Accounts: users, roles, departments, API tokens and the secrets behind them."""

from cxloop.accounts import secrets
from cxloop.accounts.models import ApiToken, CustomRole, Department, Role, User
from cxloop.accounts.permissions import BUILTIN_ROLES, Permission, in_department_scope
from cxloop.accounts.roles import create_role, list_roles, permissions_for, role_exists
from cxloop.accounts.schemas import DepartmentRead, TokenInfo, TokenRead, UserCreate, UserRead
from cxloop.accounts.service import (
    SCOPES,
    authenticate,
    create_token,
    create_user,
    ensure_department,
    list_tokens,
    revoke_token,
    user_by_email,
    user_for_token,
)
from cxloop.accounts.sso import SsoPolicy, SsoSignIn, sso_sign_in

__all__ = [
    "BUILTIN_ROLES",
    "SCOPES",
    "ApiToken",
    "CustomRole",
    "Department",
    "DepartmentRead",
    "Permission",
    "Role",
    "SsoPolicy",
    "SsoSignIn",
    "TokenInfo",
    "TokenRead",
    "User",
    "UserCreate",
    "UserRead",
    "authenticate",
    "create_role",
    "create_token",
    "create_user",
    "ensure_department",
    "in_department_scope",
    "list_roles",
    "list_tokens",
    "permissions_for",
    "revoke_token",
    "role_exists",
    "secrets",
    "sso_sign_in",
    "user_by_email",
    "user_for_token",
]
