"""``cxloop user create``, ``cxloop token create``/``list``/``revoke`` and ``cxloop role
create``/``list``. Every change is audited by the configuration hook, as ``cli:<account>``."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from pydantic import ValidationError

from cxloop.accounts import (
    Permission,
    TokenInfo,
    UserCreate,
    UserRead,
    create_role,
    create_token,
    create_user,
    list_roles,
    list_tokens,
    revoke_token,
    user_by_email,
)
from cxloop.cli.output import command_session, emit_json, err, fail
from cxloop.errors import CxloopError

user_app = typer.Typer(help="Manage the people who use cxloop.", no_args_is_help=True)
token_app = typer.Typer(help="Personal API tokens for the REST API.", no_args_is_help=True)
role_app = typer.Typer(help="Roles: what each kind of user may do.", no_args_is_help=True)


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Option(help="Sign-in email.")],
    password: Annotated[str, typer.Option(help="At least 8 characters.")],
    role: Annotated[
        str, typer.Option(help="admin, analyst, agent, viewer, or a role made with `role create`.")
    ],
    department: Annotated[
        list[str] | None, typer.Option(help="Department slug; repeat for several.")
    ] = None,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the user as JSON.")] = False,
) -> None:
    """Create a user who signs in to the web app with EMAIL and PASSWORD."""
    try:
        data = UserCreate(
            email=email, password=password, role=role, name=name, departments=department or []
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise fail(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from exc
    with command_session() as session:
        user = create_user(session, data=data)
        read = UserRead.model_validate(user).model_dump(mode="json")
    if as_json:
        emit_json(read)
    else:
        err.print(f"created {read['role']} {read['email']} (id {read['id']})")


@token_app.command("create")
def token_create(
    email: Annotated[str, typer.Option(help="The user the token acts as.")],
    scope: Annotated[
        list[str] | None, typer.Option(help="read or write; repeat for both (default both).")
    ] = None,
    days: Annotated[int | None, typer.Option(help="Expire after this many days.")] = None,
    name: Annotated[str, typer.Option(help="A note to recognise the token by.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help='Print {"token": ...}.')] = False,
) -> None:
    """Create a personal API token (sent as 'Authorization: Bearer <token>')."""
    with command_session() as session:
        user = user_by_email(session, email=email)
        if user is None:
            raise fail(f"no user with email {email}; create one with `cxloop user create`")
        token, plaintext = create_token(
            session,
            user=user,
            scopes=scope,
            name=name,
            ttl=timedelta(days=days) if days else None,
        )
        out = {
            "token": plaintext,
            "id": token.id,
            "scopes": token.scopes.split(),
            "expires_at": token.expires_at,
        }
    if as_json:
        emit_json(out)
    else:
        typer.echo(plaintext)


def _token_rows(tokens: list[TokenInfo], as_json: bool) -> None:
    if as_json:
        emit_json({"tokens": [t.model_dump(mode="json") for t in tokens]})
        return
    for t in tokens:
        state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "active"
        err.print(f"{t.id}  {t.prefix}  {' '.join(t.scopes)}  {t.name or '-'}  {state}")


@token_app.command("list")
def token_list(
    email: Annotated[str | None, typer.Option(help="Only this user's tokens.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help='Print {"tokens": [...]}.')] = False,
) -> None:
    """Every token (never its secret): id, prefix, scopes, expiry, and when it was revoked."""
    with command_session(write=False) as session:
        user = None
        if email is not None:
            user = user_by_email(session, email=email)
            if user is None:
                raise fail(f"no user with email {email}")
        tokens = [TokenInfo.model_validate(t) for t in list_tokens(session, user=user)]
    _token_rows(tokens, as_json)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[
        list[int] | None, typer.Option("--id", help="A token id (see `token list`); repeatable.")
    ] = None,
    email: Annotated[str | None, typer.Option(help="Revoke every token of this user.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help='Print {"tokens": [...]}.')] = False,
) -> None:
    """Cut tokens off at once: their next request gets a 401. Audited."""
    if not token_id and email is None:
        raise fail("give --id (repeatable) or --email")
    with command_session() as session:
        ids = list(token_id or [])
        if email is not None:
            user = user_by_email(session, email=email)
            if user is None:
                raise fail(f"no user with email {email}")
            ids += [t.id for t in list_tokens(session, user=user)]
        try:
            revoked = [
                TokenInfo.model_validate(revoke_token(session, token_id=i))
                for i in sorted(set(ids))
            ]
        except CxloopError as exc:
            raise fail(f"{exc.detail}; see `cxloop token list`") from exc
    _token_rows(revoked, as_json)


@role_app.command("create")
def role_create(
    name: Annotated[str, typer.Option(help="Lower-case name, e.g. 'store-manager'.")],
    permission: Annotated[
        list[str], typer.Option(help="A permission (see `cxloop role list`); repeat for several.")
    ],
    description: Annotated[str, typer.Option(help="What the role is for.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the role as JSON.")] = False,
) -> None:
    """Define a role of your own from permissions; assign it with `cxloop user create --role`."""
    with command_session() as session:
        role = create_role(session, name=name, permissions=permission, description=description)
        read = {"name": role.name, "permissions": list(role.permissions)}
    if as_json:
        emit_json(read)
    else:
        err.print(f"created role {read['name']}: {', '.join(read['permissions'])}", highlight=False)


@role_app.command("list")
def role_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print roles as JSON.")] = False,
) -> None:
    """Every role and its permissions, and every permission there is."""
    with command_session(write=False) as session:
        roles = {
            name: sorted(p.value for p in granted) for name, granted in list_roles(session).items()
        }
    if as_json:
        emit_json({"roles": roles, "permissions": [p.value for p in Permission]})
        return
    for name, granted in roles.items():
        err.print(f"{name}: {', '.join(granted)}", highlight=False)
