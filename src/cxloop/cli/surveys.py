"""``cxloop survey dispatch``: run the trigger dispatcher once, or every N seconds."""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer

from cxloop.cli.output import emit_json, err, fail
from cxloop.errors import CxloopError
from cxloop.settings import get_settings
from cxloop.store.engine import get_engine
from cxloop.store.migrate import upgrade
from cxloop.surveys import DispatchReport, dispatch

survey_app = typer.Typer(help="Surveys: triggers and sending.", no_args_is_help=True)


def _summary(report: DispatchReport) -> dict[str, Any]:
    sending = report.sending
    return {
        "evaluated": report.evaluated,
        "invited": report.invited,
        "sent": sending.sent,
        "bounced": sending.bounced,
        "failed": sending.failed,
        "released": sending.released,
        "in_doubt": report.in_doubt,
        "errors": sending.errors,
    }


def _say(summary: dict[str, Any]) -> None:
    err.print(
        f"{summary['evaluated']} interactions read, {summary['invited']} invited, "
        f"{summary['sent']} sent, {summary['bounced']} bounced, {summary['failed']} failed",
        highlight=False,
    )
    if summary["in_doubt"]:
        err.print(
            f"[yellow]{summary['in_doubt']} invitations were claimed by a sender that never "
            "finished (a crash?): they may have gone out, so they are not resent[/yellow]",
            highlight=False,
        )
    for error in summary["errors"]:
        err.print(f"[red]error:[/red] {error}", highlight=False)


@survey_app.command("dispatch")
def survey_dispatch(
    every: Annotated[
        float | None, typer.Option(min=1, help="Keep running: one pass every N seconds.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Invite where trigger rules match new interactions, then send the invitations due."""
    settings = get_settings()
    url = settings.resolved_database_url
    upgrade(url)
    engine = get_engine(url)
    while True:
        try:
            summary = _summary(dispatch(engine, settings))
        except CxloopError as exc:
            raise fail(exc.detail) from exc
        if every is None:
            break
        _say(summary)
        time.sleep(every)
    if as_json:
        emit_json(summary)
    else:
        _say(summary)
