"""Downloads: every chart's and table's numbers on the dashboard, journey, drivers and text
pages as CSV, XLSX and Parquet, under the page's own filters, audited as exports; a bad
table or format is a problem+json answer, not a page."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import Role, create_role
from cxloop.insights import metric_named
from cxloop.privacy import AuditEntry
from cxloop.store.tabular import MEDIA_TYPES, read_rows
from cxloop.understanding import enrich_interactions, shared_analyser
from cxloop.web import dashboard, drivers, journey_tables, text_analytics
from cxloop.web.downloads import DOWNLOAD_FORMATS, DownloadFormat
from tests.accounts.factories import make_user
from tests.customers.factories import make_customer
from tests.insights.factories import (
    answer_all,
    last_wednesday_noon,
    make_scores_survey,
    nps_answers,
)
from tests.interactions.factories import make_interaction
from tests.understanding.factories import MODEL_DIR, make_billing_and_delivery
from tests.web.helpers import sign_in
from tests.web.test_journey_pages import callers_and_others

PROMOTERS_AND_DETRACTORS = [10, 10, 10, 9, 9, 8, 7, 6, 2, 0, 10, 9]  # NPS 33.3 of 12
LINK = re.compile(r'href="(/(?:dashboard|journeys|drivers|text)/download/([a-z_-]+)\?[^"]*)"')


def _signed_in(client: TestClient, session: Session, role: Role = Role.analyst) -> TestClient:
    assert sign_in(client, make_user(session, role=role).email).status_code == 303
    return client


def _links(html: str, fmt: str) -> dict[str, str]:
    """Each download link of the page in ``fmt``, by table."""
    return {
        table: href.replace("&amp;", "&")
        for href, table in LINK.findall(html)
        if href.endswith(f"format={fmt}")
    }


def _read_back(
    client: TestClient, url: str, fmt: DownloadFormat, tmp_path: Path
) -> list[dict[str, Any]]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(MEDIA_TYPES[fmt])
    disposition = response.headers["content-disposition"]
    assert re.fullmatch(r'attachment; filename="[a-z]+-[a-z_-]+-\d{4}-\d\d-\d\d\.' + fmt + '"',
                        disposition)  # fmt: skip
    path = tmp_path / f"file.{fmt}"
    path.write_bytes(response.content)
    return [row.values for row in read_rows(path, fmt)]


def _figure(value: Any) -> float:
    """Spreadsheet cells come back as text or numbers; compare them as numbers."""
    return float(value)


@pytest.fixture
def nps_by_channel(session: Session) -> None:
    survey = make_scores_survey(session)
    last_week = last_wednesday_noon()
    answer_all(
        session,
        survey,
        nps_answers(PROMOTERS_AND_DETRACTORS, channel="email", at=last_week, stage="support")
        + nps_answers(PROMOTERS_AND_DETRACTORS, channel="web", at=last_week + timedelta(hours=1)),
    )


@pytest.mark.parametrize("fmt", DOWNLOAD_FORMATS)
def test_every_dashboard_table_downloads_with_the_pages_numbers(
    client: TestClient, session: Session, nps_by_channel: None, fmt: DownloadFormat,
    tmp_path: Path,
) -> None:  # fmt: skip
    page = _signed_in(client, session)
    html = page.get("/dashboard", params={"metric": "nps", "weeks": 4}).text
    links = _links(html, fmt)
    compared = {f"by-{d}" for d in dashboard.COMPARED if d in metric_named("nps").dimensions}
    assert set(links) == {t for t in dashboard.TABLES if not t.startswith("by-")} | compared
    for table, url in links.items():
        assert "metric=nps" in url and "weeks=4" in url
        rows = _read_back(page, url, fmt, tmp_path)
        assert rows, table
        for row in rows:
            if row["value"] is None:
                assert row["n"] in (0, "0") or str(row["suppressed"]).lower() == "true"
                continue
            if row["ci_low"] is not None and row["metric"] not in ("first_response_time",):
                low, high = _figure(row["ci_low"]), _figure(row["ci_high"])
                assert f"{low:.1f} to {high:.1f}), n={row['n']}" in html, (table, row)
    overview = {r["metric"]: r for r in _read_back(page, links["overview"], fmt, tmp_path)}
    assert _figure(overview["nps"]["value"]) == pytest.approx(100 / 3)  # 14 and 6 of 24
    assert int(overview["nps"]["n"]) == 24
    by_channel = _read_back(page, links["by-channel"], fmt, tmp_path)
    assert [r["channel"] for r in by_channel] == ["(all)", "email", "web"]
    assert [int(r["n"]) for r in by_channel] == [24, 12, 12]
    weekly = _read_back(page, links["trend"], fmt, tmp_path)
    assert sum(int(r["n"]) for r in weekly[1:]) == 24


def test_a_download_keeps_the_pages_filters_and_exact_window(
    client: TestClient, session: Session, nps_by_channel: None, tmp_path: Path
) -> None:
    page = _signed_in(client, session)
    start = (datetime.now(UTC) - timedelta(days=14)).date().isoformat()  # the answers: 5-11 days
    html = page.get("/dashboard", params={"channel": "web", "from": start}).text
    url = _links(html, "csv")["overview"]
    assert "channel=web" in url and "from=" in url
    nps = next(r for r in _read_back(page, url, "csv", tmp_path) if r["metric"] == "nps")
    assert int(nps["n"]) == 12  # the web answers only
    empty = page.get(
        "/dashboard/download/overview",
        params={"channel": "web", "from": "2020-01-01", "to": "2020-02-01", "format": "csv"},
    )
    nps = next(r for r in csv.DictReader(io.StringIO(empty.text)) if r["metric"] == "nps")
    assert nps["n"] == "0" and nps["value"] == ""  # a window without answers: n = 0, no value


def test_a_download_is_audited_as_an_export(
    client: TestClient, session: Session, nps_by_channel: None
) -> None:
    page = _signed_in(client, session)
    assert page.get("/dashboard/download/by-channel?metric=nps&format=xlsx").status_code == 200
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "export.dashboard")).one()
    assert entry.target_type == "download" and entry.target_id.endswith(".xlsx")
    assert entry.detail["table"] == "by-channel" and entry.detail["rows"] == 3
    assert "metric=nps" in entry.detail["query"]


def test_text_that_a_spreadsheet_would_run_is_neutralised(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    survey = make_scores_survey(session)
    at = datetime.now(UTC) - timedelta(days=2)
    answer_all(session, survey, nps_answers([10] * 5, channel="=HYPERLINK(1)", at=at))
    page = _signed_in(client, session)
    url = "/dashboard/download/by-channel?metric=nps&weeks=4&format="
    raw = page.get(url + "csv").text
    cells = [row["channel"] for row in csv.DictReader(io.StringIO(raw))]
    assert "'=HYPERLINK(1)" in cells and "=HYPERLINK(1)" not in cells
    rows = _read_back(page, url + "xlsx", "xlsx", tmp_path)  # the reader restores the text
    assert "=HYPERLINK(1)" in [r["channel"] for r in rows]
    (tmp_path / "raw.xlsx").write_bytes(page.get(url + "xlsx").content)
    sheet = load_workbook(tmp_path / "raw.xlsx").worksheets[0]
    assert "'=HYPERLINK(1)" in [c.value for c in sheet["B"]]


@pytest.mark.parametrize("fmt", DOWNLOAD_FORMATS)
def test_every_journey_table_downloads_with_the_pages_numbers(
    client: TestClient, session: Session, fmt: DownloadFormat, tmp_path: Path
) -> None:
    callers_and_others(session)
    page = _signed_in(client, session, Role.viewer)
    html = page.get("/journeys", params={"weeks": 4}).text
    links = _links(html, fmt)
    assert set(links) == set(journey_tables.TABLES)
    found = {table: _read_back(page, url, fmt, tmp_path) for table, url in links.items()}
    for table in ("paths-stage", "paths-channel"):
        assert found[table], table
        for row in found[table]:  # the table under the chart: path, share (interval), k of n
            share, low, high = (_figure(row[k]) for k in ("percent", "ci_low", "ci_high"))
            shown = f"{share:.1f}% ({low:.1f} to {high:.1f}), {row['count']} of {row['n']}"
            assert f'<th scope="row">{row["path"]}</th><td>{shown}</td>' in html
    lifts = {r["before"]: r for r in found["detractors"]}
    call = lifts["contacted on: phone"]
    low, high = _figure(call["ci_low"]), _figure(call["ci_high"])
    assert f"({low:.2f} to {high:.2f}), n=12" in html


@pytest.mark.parametrize("fmt", DOWNLOAD_FORMATS)
def test_the_drivers_table_downloads_with_the_pages_numbers(
    client: TestClient, session: Session, fmt: DownloadFormat, tmp_path: Path
) -> None:
    callers_and_others(session)
    page = _signed_in(client, session, Role.viewer)
    html = page.get("/drivers", params={"metric": "nps", "weeks": 4}).text
    links = _links(html, fmt)
    assert set(links) == set(drivers.TABLES)
    rows = _read_back(page, links["drivers"], fmt, tmp_path)
    assert rows
    for row in rows:
        assert f'<th scope="row">{row["driver"]}</th><td>{int(row["answers_with"])}</td>' in html
        value, low = _figure(row["importance_percent"]), _figure(row["importance_percent_low"])
        high = _figure(row["importance_percent_high"])
        assert f"{value:.1f}% ({low:.1f} to {high:.1f})" in html


@pytest.mark.parametrize("fmt", DOWNLOAD_FORMATS)
def test_every_text_table_downloads_with_the_pages_numbers(
    client: TestClient, session: Session, fmt: DownloadFormat, tmp_path: Path
) -> None:
    make_billing_and_delivery(session)
    customer = make_customer(session)
    now = datetime.now(UTC)
    made = [
        make_interaction(
            session,
            customer_id=customer.id,
            channel=channel,
            text=text,
            occurred_at=now - timedelta(days=i + 1),
        )
        for i, (channel, text) in enumerate(
            [
                ("email", "You charged me twice, this is a disgrace"),
                ("chat", "My parcel is late again and the courier never called"),
                ("chat", "The parcel never came, the courier lost it"),
            ]
        )
    ]
    enrich_interactions(session, shared_analyser(MODEL_DIR), [i.id for i in made])
    page = _signed_in(client, session)
    html = page.get("/text", params={"days": 30, "channel": "chat"}).text
    links = _links(html, fmt)
    assert set(links) <= set(text_analytics.TABLES) and "topics" in links
    assert "channel=chat" in links["topics"]
    for row in _read_back(page, links["topics"], fmt, tmp_path):
        assert f"{row['topic']}</a></th><td>{int(row['mentions'])}</td>" in html
    weeks = _read_back(page, links["sentiment-by-week"], fmt, tmp_path)
    assert sum(int(r[f]) for r in weeks for f in text_analytics.FEELINGS) == 2  # the chats


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/dashboard/download/happiness?format=csv", 404),
        ("/dashboard/download/by-signal?metric=nps&format=csv", 404),  # NPS has no signal
        ("/dashboard/download/overview?format=pdf", 422),
        ("/dashboard/download/overview?metric=happiness&format=csv", 404),
        ("/dashboard/download/overview?from=yesterday&format=csv", 422),
        ("/dashboard/download/overview?from=2026-02-01&to=2026-01-01&format=csv", 422),
        ("/journeys/download/nowhere?format=csv", 404),
        ("/drivers/download/drivers?format=docx", 422),
        ("/text/download/verbatims?format=csv", 404),
    ],
)
def test_a_bad_table_format_or_window_is_a_problem(
    client: TestClient, session: Session, url: str, status: int
) -> None:
    response = _signed_in(client, session).get(url)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"]


def test_a_download_needs_the_pages_permission(client: TestClient, session: Session) -> None:
    assert client.get("/dashboard/download/overview", follow_redirects=False).status_code == 303
    create_role(session, name="auditor", permissions=["audit.read"])
    assert sign_in(client, make_user(session, role="auditor").email).status_code == 303
    for url in (
        "/dashboard/download/overview",
        "/journeys/download/funnel",
        "/drivers/download/drivers",
        "/text/download/topics",
    ):
        response = client.get(url + "?format=csv")
        assert response.status_code == 403, url
        assert response.headers["content-type"] == "application/problem+json"
