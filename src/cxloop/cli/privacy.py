"""``cxloop privacy``: a person's export or erasure, and retention, from the command line."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from cxloop.cli.output import cli_actor, command_session, emit_json, err, fail
from cxloop.privacy import apply_retention, fulfil, open_request, remove_policy, set_policy
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


@privacy_app.command("policy")
def policy_command(
    kind: Annotated[str, typer.Option(help="raw_text, interactions, responses... (see docs)")],
    days: Annotated[int | None, typer.Option(help="Keep this many days.")] = None,
    action: Annotated[str, typer.Option(help="'anonymize' or 'delete' after that.")] = "anonymize",
    remove: Annotated[bool, typer.Option("--remove", help="Keep this kind indefinitely.")] = False,
) -> None:
    """Set (or remove) the retention policy of one kind of data."""
    with command_session() as session:
        if remove:
            remove_policy(session, kind=kind)
            err.print(f"no retention policy for {kind} any more", highlight=False)
            return
        if days is None:
            raise fail("give --days N (or --remove)")
        set_policy(session, kind=kind, days=days, action=action, actor=cli_actor())
    err.print(f"{kind}: {action} after {days} days", highlight=False)


@privacy_app.command("retention")
def retention_command(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Count what would change; change nothing.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Apply every retention policy now (the worker also runs it daily)."""
    with command_session() as session:
        outcomes = apply_retention(session, dry_run=dry_run, actor=cli_actor())
    verb = "would change" if dry_run else "changed"
    for o in outcomes:
        err.print(
            f"{o.kind} ({o.action} after {o.days} days): {verb} {o.affected}", highlight=False
        )
    if not outcomes:
        err.print("no retention policy is set; see cxloop privacy policy", highlight=False)
    if as_json:
        emit_json({"dry_run": dry_run, "policies": [asdict(o) for o in outcomes]})
