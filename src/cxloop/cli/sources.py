"""``cxloop source create``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import orjson
import typer

from cxloop.cli.output import command_session, emit_json, err, fail
from cxloop.interactions import create_source, source_summary

source_app = typer.Typer(
    help="Where interactions come from, and their write keys.", no_args_is_help=True
)


@source_app.command("create")
def source_create(
    name: Annotated[str, typer.Option(help="A unique name, e.g. 'website' or 'help desk'.")],
    kind: Annotated[str, typer.Option(help="segment, webhook, api or import.")] = "segment",
    channel: Annotated[str | None, typer.Option(help="Default channel of its events.")] = None,
    stage: Annotated[str | None, typer.Option(help="Default journey stage of its events.")] = None,
    stage_rule: Annotated[
        list[str] | None, typer.Option(help="'Event Name=stage'; repeat for several.")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="JSON file with the webhook mapping (see docs/ingest.md).")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the source with its write_key.")
    ] = False,
) -> None:
    """Create a source and print its write key (shown once; keep it with the sending system)."""
    rules: dict[str, str] = {}
    for rule in stage_rule or []:
        event, sep, target = rule.rpartition("=")
        if not sep or not event or not target:
            raise fail(f"--stage-rule '{rule}' must look like 'Order Completed=purchase'")
        rules[event] = target
    mapping_value = None
    if mapping is not None:
        try:
            mapping_value = orjson.loads(mapping.read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            raise fail(f"cannot read mapping {mapping}: {exc}") from exc
    with command_session() as session:
        source, write_key = create_source(
            session,
            name=name,
            kind=kind,
            default_channel=channel,
            default_stage=stage,
            stage_rules=rules,
            mapping=mapping_value,
        )
        summary = source_summary(source, write_key)
    if as_json:
        emit_json(summary)
    else:
        err.print(f"source '{name}' created (id {summary['id']}); its write key:")
        typer.echo(write_key)
