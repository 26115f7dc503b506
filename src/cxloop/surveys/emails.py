"""The invitation email: the survey's first scale question inside it, one link per score.

A click on a score records it and opens the rest of the survey, so the most important answer
costs one click. Every email carries a one-click unsubscribe (RFC 8058) that mail clients show.
"""

from __future__ import annotations

from email.message import Message
from html import escape
from typing import Any
from urllib.parse import urlencode

from cxloop.outreach import build_message
from cxloop.settings import Settings
from cxloop.surveys.definition import Definition, QuestionType
from cxloop.surveys.locales import choose_locale, translate
from cxloop.surveys.tokens import invitation_token, unsubscribe_token

EMBEDDABLE = frozenset({QuestionType.nps, QuestionType.csat, QuestionType.ces, QuestionType.rating})


def customer_locale(traits: dict[str, Any]) -> str | None:
    for name in ("locale", "language"):
        value = traits.get(name)
        if isinstance(value, str) and value:
            return value
    return None


def invitation_email(
    settings: Settings,
    *,
    invitation_id: int,
    customer_id: int,
    to: str,
    traits: dict[str, Any],
    definition: Definition,
) -> Message:
    secret = settings.resolved_secret_key()
    base = settings.public_url.rstrip("/")
    link = f"{base}/s/i/{invitation_token(secret, invitation_id)}"
    unsubscribe = f"{base}/s/u/{unsubscribe_token(secret, customer_id)}"
    locale = choose_locale(
        definition.locales(), [customer_locale(traits)], definition.default_locale
    )

    def tr(texts: dict[str, str]) -> str:
        return translate(texts, locale, definition.default_locale)

    title = tr(definition.title)
    first = definition.questions[0]
    text_lines = [title, "", tr(definition.intro), ""] if definition.intro else [title, ""]
    html_parts = [f"<h1>{escape(title)}</h1>"]
    if definition.intro:
        html_parts.append(f"<p>{escape(tr(definition.intro))}</p>")
    scale = first.scale() if first.type in EMBEDDABLE else None
    if scale is not None:
        low, high = scale
        text_lines += [tr(first.text), ""]
        cells = []
        for score in range(low, high + 1):
            url = f"{link}?{urlencode({first.id: score})}"
            text_lines.append(f"{score}: {url}")
            cells.append(
                f'<td><a href="{escape(url)}" style="display:inline-block;padding:8px 10px;'
                f'border:1px solid #1d4ed8;color:#1d4ed8;text-decoration:none">{score}</a></td>'
            )
        html_parts.append(f"<p>{escape(tr(first.text))}</p>")
        html_parts.append(f'<table role="presentation"><tr>{"".join(cells)}</tr></table>')
    text_lines += ["", f"Open the survey: {link}"]
    html_parts.append(f'<p><a href="{escape(link)}">Open the survey</a></p>')
    text_lines += ["", f"Unsubscribe from surveys: {unsubscribe}"]
    html_parts.append(
        f'<p style="font-size:12px;color:#4b5563"><a href="{escape(unsubscribe)}">'
        "Unsubscribe from surveys</a></p>"
    )
    return build_message(
        settings,
        to=to,
        subject=title,
        text="\n".join(text_lines),
        html="<!doctype html><html><body>" + "".join(html_parts) + "</body></html>",
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "X-Cxloop-Invitation": str(invitation_id),
        },
        message_id=f"<survey-invitation-{invitation_id}@cxloop>",
    )
