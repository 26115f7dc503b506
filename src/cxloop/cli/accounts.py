"""``cxloop user create``, ``cxloop token create`` and ``cxloop role create``/``list``."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from sqlalchemy.orm import Session

from cxloop.accounts import (
    Permission,
    UserCreate,
    UserRead,
    create_role,
    create_token,
    create_user,
    list_roles,
    user_by_email,
)
from cxloop.cli.output import cli_actor, command_session, emit_json, err, fail
from cxloop.privacy import audit

user_app = typer.Typer(help="Manage the people who use cxloop.", no_args_is_help=True)
token_app = typer.Typer(help="Personal API tokens for the REST API.", no_args_is_help=True)
role_app = typer.Typer(help="Roles: what each kind of user may do.", no_args_is_help=True)


def _granted(session: Session, action: str, **entry: Any) -> None:
    """A permission change made from the command line, in the audit log."""
    audit(session, actor=cli_actor(), action=action, **entry)


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
        _granted(
            session,
            "user.created",
            target_type="user",
            target_id=user.id,
            role=user.role,
            departments=[d.slug for d in user.departments],
        )
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
        _granted(
            session,
            "token.created",
            target_type="user",
            target_id=user.id,
            token_id=token.id,
            scopes=token.scopes.split(),
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
        _granted(
            session,
            "role.created",
            target_type="role",
            target_id=role.name,
            permissions=read["permissions"],
        )
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
