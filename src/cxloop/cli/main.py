"""The ``cxloop`` command. Each group lives in its own module; this file only assembles them."""

from __future__ import annotations

from typing import Annotated

import typer

from cxloop.cli.accounts import role_app, token_app, user_app
from cxloop.cli.alerts import report_app
from cxloop.cli.cases import cases_app
from cxloop.cli.data import export_app, import_app
from cxloop.cli.demo import demo
from cxloop.cli.inbound import inbound_smtp
from cxloop.cli.insights import alert_app, export_lake, metric_app
from cxloop.cli.models import model_app
from cxloop.cli.output import err
from cxloop.cli.privacy import privacy_app
from cxloop.cli.sources import source_app
from cxloop.cli.surveys import survey_app
from cxloop.cli.understand import understand_app
from cxloop.cli.worker import worker
from cxloop.settings import get_settings
from cxloop.store.migrate import upgrade

app = typer.Typer(
    help="cxloop: one timeline per customer, from every channel.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(role_app, name="role")
app.add_typer(source_app, name="source")
app.add_typer(import_app, name="import")
app.add_typer(export_app, name="export")
export_app.command("lake")(export_lake)
app.add_typer(metric_app, name="metric")
app.add_typer(alert_app, name="alert")
app.add_typer(report_app, name="report")
app.add_typer(privacy_app, name="privacy")
app.add_typer(survey_app, name="survey")
app.command()(demo)
app.add_typer(model_app, name="model")
app.add_typer(understand_app, name="understand")
app.add_typer(cases_app, name="cases")
app.command()(worker)
app.command("inbound-smtp")(inbound_smtp)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration to the configured database."""
    settings = get_settings()
    upgrade(settings.resolved_database_url)
    err.print("database is up to date")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Server processes.")] = 1,
) -> None:
    """Serve the web app, the REST API and ingest (migrating the database first)."""
    import uvicorn

    settings = get_settings()
    upgrade(settings.resolved_database_url)
    err.print(f"cxloop serving on http://{host}:{port}")
    uvicorn.run(
        "cxloop.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
    )
