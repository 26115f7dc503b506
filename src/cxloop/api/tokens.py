"""``/api/v1/tokens``: admins list and revoke anyone's API tokens; ``/api/v1/me/tokens``: every
signed-in user lists and revokes their own (a leaked token is cut off without waiting for an
admin). A revocation is a configuration change, so the audit log records it with its author."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from cxloop.accounts import Permission, TokenInfo, User, list_tokens, revoke_token
from cxloop.api.deps import Principal, SessionDep, require
from cxloop.store.crud import get_or_404

router = APIRouter(tags=["tokens"])

UsersManage = Annotated[Principal, Depends(require(Permission.users_manage))]
SignedIn = Annotated[Principal, Depends(require())]
"""Any signed-in user: what they reach is their own."""


@router.get("/tokens", response_model=list[TokenInfo])
def all_tokens(
    session: SessionDep,
    _admin: UsersManage,
    user_id: Annotated[int | None, Query(description="Only this user's tokens.")] = None,
) -> list[TokenInfo]:
    user = get_or_404(session, User, user_id, what="user") if user_id is not None else None
    return [TokenInfo.model_validate(t) for t in list_tokens(session, user=user)]


@router.delete("/tokens/{token_id}", response_model=TokenInfo)
def revoke_any(token_id: int, session: SessionDep, _admin: UsersManage) -> TokenInfo:
    """Revoke a token; its next request is refused with a 401."""
    return TokenInfo.model_validate(revoke_token(session, token_id=token_id))


@router.get("/me/tokens", response_model=list[TokenInfo])
def my_tokens(session: SessionDep, me: SignedIn) -> list[TokenInfo]:
    return [TokenInfo.model_validate(t) for t in list_tokens(session, user=me.user)]


@router.delete("/me/tokens/{token_id}", response_model=TokenInfo)
def revoke_mine(token_id: int, session: SessionDep, me: SignedIn) -> TokenInfo:
    """Revoke one of your own tokens (another's is a 404)."""
    return TokenInfo.model_validate(revoke_token(session, token_id=token_id, owner=me.user))
