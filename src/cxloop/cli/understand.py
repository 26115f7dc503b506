"""``cxloop understand backfill``: enrich every text not yet enriched by the current models.

Resumable by construction: each batch commits on its own and the next run starts from what
is still stale, so an interrupted backfill loses at most one batch of work.
"""

from __future__ import annotations

from typing import Annotated

import typer

from cxloop.cli.output import command_session, emit_json, err, progress
from cxloop.settings import get_settings
from cxloop.understanding import (
    count_stale,
    enrich_interactions,
    shared_analyser,
    stale_interactions,
)

understand_app = typer.Typer(help="Enrich customer texts.", no_args_is_help=True)


@understand_app.command("backfill")
def backfill(
    batch: Annotated[
        int, typer.Option(min=1, max=1000, help="Interactions per committed batch.")
    ] = 128,
    limit: Annotated[int | None, typer.Option(min=1, help="Stop after this many.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """Enrich interactions never enriched, enriched by older models, or whose enrichment failed."""
    settings = get_settings()
    analyser = shared_analyser(settings.resolved_model_dir, settings.max_text_chars)
    with command_session(write=False) as session:
        stale = count_stale(session, analyser)
    total = min(stale, limit) if limit else stale
    counts: dict[str, int] = {}
    done, after = 0, 0
    with progress("enriching", total) as advance:
        while done < total:
            with command_session() as session:
                ids = stale_interactions(
                    session, analyser, after_id=after, limit=min(batch, total - done)
                )
                if not ids:
                    break
                for status, n in enrich_interactions(session, analyser, ids).items():
                    counts[status] = counts.get(status, 0) + n
            after = ids[-1]
            done += len(ids)
            advance(len(ids))
    summary = {"enriched": done, "by_status": counts, "model_versions": analyser.versions}
    if as_json:
        emit_json(summary)
    else:
        err.print(f"enriched {done} interactions: {counts or 'nothing was stale'}")
