"""``cxloop privacy request``: a person's export or erasure, from the command line."""

from __future__ import annotations

from typing import Annotated

import typer

from cxloop.cli.output import cli_actor, command_session, emit_json, err
from cxloop.privacy import fulfil, open_request
from cxloop.settings import get_settings

privacy_app = typer.Typer(
    help="Data subject requests: export or erase what cxloop holds on a person.",
    no_args_is_help=True,
)


@privacy_app.command("request")
def request_command(
    customer: Annotated[int, typer.Option(help="The customer's id (a merged-away id works).")],
    kind: Annotated[str, typer.Option(help="'export' (access) or 'erasure'.")],
    mode: Annotated[
        str | None,
        typer.Option(help="Erasure only: 'anonymize' (default, keeps counts) or 'delete'."),
    ] = None,
    note: Annotated[
        str | None, typer.Option(help="Reference, e.g. the ticket of the request.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the request as JSON.")] = False,
) -> None:
    """Record the request and carry it out; an export's archive path is printed."""
    actor = cli_actor()
    with command_session() as session:
        request = open_request(
            session, customer_id=customer, kind=kind, mode=mode, note=note, requested_by=actor
        )
        fulfil(session, request, archive_dir=get_settings().data_dir / "privacy", actor=actor)
    err.print(
        f"request {request.id} ({request.kind}) for customer {request.customer_id}: "
        f"{request.status}" + (f", archive {request.archive_path}" if request.archive_path else ""),
        highlight=False,
    )
    if as_json:
        emit_json(
            {
                "id": request.id,
                "customer_id": request.customer_id,
                "kind": request.kind,
                "mode": request.mode,
                "status": request.status,
                "archive": request.archive_path,
                "summary": request.summary,
                "due_at": request.due_at,
            }
        )
