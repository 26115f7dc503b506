"""Reply templates: canned answers with variables, one text per language.

Rendered with :class:`string.Template` and ``safe_substitute``: a template is text an admin
wrote, not code, so it cannot reach attributes or run anything, and a ``$`` that names no
variable (a price, "$5") is left as written. Unknown variable names are refused when the
template is saved, so a typo is caught by whoever wrote it, not by a customer reading
"$custmer_name".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from string import Template
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.accounts import User
from cxloop.cases.directory import Directory
from cxloop.cases.models import Case, ReplyTemplate
from cxloop.customers import Customer
from cxloop.errors import Conflict, NotFound, ValidationFailed
from cxloop.surveys import choose_locale

FALLBACK_LANGUAGE = "en"
VARIABLES = {
    "customer_name": "the customer's name (empty when unknown)",
    "customer_first_name": "the first word of the customer's name",
    "customer_email": "the customer's email address",
    "case_id": "the case number",
    "subject": "the case's subject",
    "agent_name": "the answering agent's name (their email when they have none)",
    "agent_email": "the answering agent's email address",
    "department": "the case's department name",
}
KEY = re.compile(r"[a-z0-9][a-z0-9_.-]{0,63}")
LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,4})?")


@dataclass(frozen=True, slots=True)
class Rendered:
    key: str
    language: str
    subject: str
    body: str


def list_templates(session: Session, *, key: str | None = None) -> list[ReplyTemplate]:
    query = select(ReplyTemplate).order_by(ReplyTemplate.key, ReplyTemplate.language)
    if key is not None:
        query = query.where(ReplyTemplate.key == key)
    return list(session.scalars(query))


def _check(*, key: str, language: str, body: str, subject: str) -> None:
    if not KEY.fullmatch(key):
        raise ValidationFailed(
            "a template key is 1 to 64 lowercase letters, digits, '_', '.' or '-'", field="key"
        )
    if not LANGUAGE.fullmatch(language):
        raise ValidationFailed("language is a code such as en, fr or pt-BR", field="language")
    if not body.strip():
        raise ValidationFailed("a template needs a body", field="body")
    for field, text in (("subject", subject), ("body", body)):
        unknown = sorted(set(Template(text).get_identifiers()) - VARIABLES.keys())
        if unknown:
            raise ValidationFailed(
                f"unknown variable ${unknown[0]} in the {field}; "
                f"use {', '.join('$' + v for v in VARIABLES)}",
                field=field,
            )


def _refuse_twin(session: Session, key: str, language: str, template_id: int | None) -> None:
    query = select(ReplyTemplate.id).where(
        ReplyTemplate.key == key, ReplyTemplate.language == language
    )
    if template_id is not None:
        query = query.where(ReplyTemplate.id != template_id)
    if session.scalar(query) is not None:
        raise Conflict(f"template '{key}' already has a '{language}' text", field="language")


def create_template(
    session: Session,
    *,
    key: str,
    body: str,
    language: str = FALLBACK_LANGUAGE,
    name: str | None = None,
    subject: str = "",
) -> ReplyTemplate:
    """Save one language of a template; the same key in another language is its translation."""
    _check(key=key, language=language, body=body, subject=subject)
    _refuse_twin(session, key, language, None)
    template = ReplyTemplate(
        key=key, language=language, name=(name or key)[:200], subject=subject[:300], body=body
    )
    session.add(template)
    session.flush()
    return template


def get_template(session: Session, template_id: int) -> ReplyTemplate:
    template = session.get(ReplyTemplate, template_id)
    if template is None:
        raise NotFound(f"reply template {template_id} does not exist")
    return template


def update_template(
    session: Session,
    template_id: int,
    *,
    key: str,
    body: str,
    language: str = FALLBACK_LANGUAGE,
    name: str | None = None,
    subject: str = "",
) -> ReplyTemplate:
    """Rewrite one language of a template, under the rules it was created with."""
    template = get_template(session, template_id)
    _check(key=key, language=language, body=body, subject=subject)
    _refuse_twin(session, key, language, template.id)
    template.key, template.language = key, language
    template.name, template.subject, template.body = (name or key)[:200], subject[:300], body
    session.flush()
    return template


def delete_template(session: Session, template_id: int) -> None:
    """Remove one language of a template (answers already sent keep their text)."""
    session.delete(get_template(session, template_id))
    session.flush()


def case_language(case: Case, customer: Customer | None) -> list[str]:
    """Languages to answer in, most wanted first: the case's, then the customer's profile."""
    traits: dict[str, Any] = (customer.traits if customer is not None else None) or {}
    wanted = [case.language, traits.get("locale"), traits.get("language")]
    return [w for w in wanted if isinstance(w, str) and w]


def variables(directory: Directory, case: Case, agent: User | None) -> dict[str, str]:
    customer = directory.session.get(Customer, case.customer_id)
    name = (customer.name if customer is not None else None) or ""
    department = directory.departments.get(case.department_id or 0)
    return {
        "customer_name": name,
        "customer_first_name": name.split()[0] if name.split() else "",
        "customer_email": (customer.email if customer is not None else None) or "",
        "case_id": str(case.id),
        "subject": case.subject,
        "agent_name": (agent.name or agent.email) if agent is not None else "",
        "agent_email": agent.email if agent is not None else "",
        "department": department.name if department is not None else "",
    }


def render_template(
    directory: Directory, key: str, case: Case, *, agent: User | None = None
) -> Rendered:
    """The template ``key`` in the customer's language (else English, else any), filled in
    for ``case``."""
    texts = {t.language: t for t in list_templates(directory.session, key=key)}
    if not texts:
        raise NotFound(f"no reply template is named '{key}'")
    customer = directory.session.get(Customer, case.customer_id)
    fallback = FALLBACK_LANGUAGE if FALLBACK_LANGUAGE in texts else next(iter(texts))
    language = choose_locale(texts, case_language(case, customer), fallback)
    template = texts[language]
    values = variables(directory, case, agent)
    return Rendered(
        key=key,
        language=language,
        subject=Template(template.subject).safe_substitute(values),
        body=Template(template.body).safe_substitute(values),
    )
