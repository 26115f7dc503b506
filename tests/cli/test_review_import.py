"""Reviews and social mentions collected elsewhere, imported from the files those tools export:
each becomes an interaction on the reviewer's timeline with its rating and its text, and a
second import of the same file stores nothing twice."""

from __future__ import annotations

import json
from pathlib import Path

from tests.store.databases import Cli, cli_fixture, committed_url_fixture  # noqa: F401

# The columns of an app store's review export (as Google Play Console writes them).
APP_STORE = "\n".join(
    [
        "Package Name,Review Link,Reviewer Name,Star Rating,Review Text,"
        "Review Submit Date and Time",
        'com.bw.app,https://play.google.com/r/1,kim.l,1,"App logs me out every day, useless",'
        "2026-11-20T08:15:00Z",
        'com.bw.app,https://play.google.com/r/2,ravi_p,5,"Paying my bill takes ten seconds",'
        "2026-11-21T19:02:00Z",
    ]
)
# A social listening tool's mention export.
SOCIAL = """Date,Author,Platform,Sentiment,Full Text,Url
2026-11-22 10:00,@marta_g,twitter,negative,"@brightwave third outage this week, fix it",https://x.com/marta_g/1
"""


def _interactions(cli: Cli, tmp_path: Path) -> list[dict[str, object]]:
    out = tmp_path / "out.jsonl"
    assert cli("export", "interactions", "--format", "jsonl", "--out", out).exit_code == 0
    return [json.loads(line) for line in out.read_text().splitlines()]


def test_app_store_reviews_import_with_their_rating_and_text(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "reviews.csv"
    path.write_text(APP_STORE)
    args = (
        "import", "interactions", path,
        "--map", "anonymous_id=Reviewer Name", "--map", "properties.rating=Star Rating",
        "--map", "text=Review Text", "--map", "occurred_at=Review Submit Date and Time",
        "--map", "properties.link=Review Link",
        "--default", "channel=review", "--default", "type=Review Posted",
        "--default", "stage=usage", "--json",
    )  # fmt: skip

    first = json.loads(cli(*args).stdout)
    again = json.loads(cli(*args).stdout)

    assert (first["stored"], first["rejected"]) == (2, 0)
    assert (again["stored"], again["duplicates"]) == (0, 2)
    reviews = [i for i in _interactions(cli, tmp_path) if i["type"] == "Review Posted"]
    got = sorted((r["properties"]["rating"], r["text"], r["channel"]) for r in reviews)  # type: ignore[index]
    assert got == [
        ("1", "App logs me out every day, useless", "review"),
        ("5", "Paying my bill takes ten seconds", "review"),
    ]
    assert len({r["customer_id"] for r in reviews}) == 2  # one timeline per reviewer


def test_social_mentions_import_on_the_authors_timeline(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "mentions.csv"
    path.write_text(SOCIAL)
    summary = json.loads(
        cli(
            "import", "interactions", path,
            "--map", "social=Author", "--map", "social_network=Platform",
            "--map", "occurred_at=Date", "--map", "text=Full Text",
            "--map", "properties.sentiment=Sentiment", "--map", "properties.url=Url",
            "--default", "channel=social", "--default", "type=Social Mention", "--json",
        ).stdout
    )  # fmt: skip

    assert (summary["stored"], summary["rejected"]) == (1, 0)
    (mention,) = [i for i in _interactions(cli, tmp_path) if i["type"] == "Social Mention"]
    assert mention["channel"] == "social" and mention["customer_id"] is not None
    assert mention["text"] == "@brightwave third outage this week, fix it"
    assert mention["properties"] == {"sentiment": "negative", "url": "https://x.com/marta_g/1"}
