"""``cxloop demo``: load Brightwave, the demo company, and serve it.

The admin password is random per data directory and kept there (``demo-password``, mode
600), so a second run prints the same login without any fixed password shipping in the code.
"""

from __future__ import annotations

import secrets
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import typer

from cxloop.cli.output import emit_json, err, fail, progress
from cxloop.demo import PUBLIC_SURVEY_KEY, RESPONSES_PER_SCALE, load_demo
from cxloop.errors import CxloopError
from cxloop.settings import get_settings
from cxloop.store.engine import get_engine
from cxloop.store.migrate import upgrade

PASSWORD_FILE = "demo-password"  # noqa: S105 (a file name)


def demo_password(data_dir: Path) -> str:
    path = data_dir / PASSWORD_FILE
    if path.exists():
        return path.read_text().strip()
    data_dir.mkdir(parents=True, exist_ok=True)
    password = "demo-" + secrets.token_urlsafe(9)
    path.write_text(password)
    path.chmod(0o600)
    return password


def demo(
    load_only: Annotated[
        bool, typer.Option("--load-only", help="Load the demo, then exit instead of serving.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object: login, urls and counts.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Randomness seed: the same seed, the same data.")] = 7,
    scale: Annotated[
        float, typer.Option(min=0.001, help="Volume multiplier (1 = 4,000 customers).")
    ] = 1.0,
    customers: Annotated[
        int | None, typer.Option(min=1, help="Exact number of customers (overrides --scale).")
    ] = None,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk",
            help="Benchmark volumes: a small full demo, its survey history copied up to "
            "2,000 answers x --scale (--scale 500: a million).",
        ),
    ] = False,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
) -> None:
    """Load the demo company (once per database) and serve it on http://HOST:PORT."""
    settings = get_settings()
    url = settings.resolved_database_url
    started = time.perf_counter()
    try:
        upgrade(url)
        if not as_json:
            err.print("loading the demo company (once per database)…")
        total = round(RESPONSES_PER_SCALE * scale) if bulk else 0
        bar = progress("copying survey answers", total) if bulk else nullcontext(None)
        with bar as advance:
            result = load_demo(
                get_engine(url),
                password=demo_password(settings.data_dir),
                seed=seed,
                scale=scale,
                customers=None if bulk else customers,
                model_dir=settings.resolved_model_dir,
                bulk=bulk,
                advance=advance,
            )
    except CxloopError as exc:
        raise fail(exc.detail) from exc
    story = f"/customers/{result.story_customer_id}" if result.story_customer_id else "/customers"
    out = {
        "login": {"email": result.email, "password": result.password},
        "urls": {
            "login": "/login",
            "customers": "/customers",
            "customer": story,
            "survey": f"/s/{PUBLIC_SURVEY_KEY}",
            "case": f"/cases/{result.case_id}" if result.case_id else "/cases",
            "cases": "/cases",
            "dashboard": "/dashboard",
            "text": "/text",
            "at_risk": "/at-risk",
            "experiment": (
                f"/experiments/{result.experiment_id}" if result.experiment_id else "/experiments"
            ),
        },
        "counts": result.counts,
        "loaded": result.loaded,
        "seconds": round(time.perf_counter() - started, 1),
    }
    if as_json:
        emit_json(out)
    counts = ", ".join(f"{n} {what}" for what, n in result.counts.items())
    verb = "loaded" if result.loaded else "already loaded"
    err.print(f"demo {verb} in {out['seconds']} s: {counts}", highlight=False)
    err.print(f"sign in as {result.email} with password {result.password}", highlight=False)
    if load_only:
        return
    import uvicorn

    err.print(f"cxloop demo serving on http://{host}:{port} (see {story})", highlight=False)
    uvicorn.run(
        "cxloop.app:create_served_app", factory=True, host=host, port=port, log_level="warning"
    )
