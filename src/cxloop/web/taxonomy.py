"""The topics page (/text/topics): the company's taxonomy as a tree, edited in place, and a
"try it" form that shows what the current topics make of a few sample texts before anyone
trusts them.

The understanding domain checks every change exactly as the REST API does (blank names, two
topics of one name side by side, a topic under its own subtopics, too deep a tree), and the
page shows its message beside the field. Looking and trying need ``understanding.read``;
adding, editing, moving and deleting ``understanding.manage``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from cxloop.accounts import Permission, User
from cxloop.api.deps import SessionDep, SettingsDep
from cxloop.errors import CxloopError
from cxloop.settings import Settings
from cxloop.understanding import (
    Analysis,
    TopicCreate,
    TopicRead,
    TopicUpdate,
    analyse_texts,
    create_topic,
    delete_topic,
    list_topics,
    read_topic,
    shared_analyser,
    subtopics,
    update_topic,
)
from cxloop.understanding.schemas import MAX_REQUEST_CHARS, MAX_TEXTS
from cxloop.web.form_errors import field_problem
from cxloop.web.permissions import require_permission, user_can
from cxloop.web.routing import PageRoute
from cxloop.web.security import CsrfChecked, PageUser
from cxloop.web.templating import render

router = APIRouter(route_class=PageRoute, include_in_schema=False)
TOPICS = "/text/topics"
# Guards against oversized posts only; the schemas set the limits a person is told about.
Short = Annotated[str, Form(max_length=1_000)]
Long = Annotated[str, Form(max_length=MAX_REQUEST_CHARS * 2)]
Errors = dict[str, str]


@dataclass
class Branch:
    """A topic and the branches under it, for the indented tree."""

    topic: TopicRead
    children: list[Branch] = field(default_factory=list)


def _tree(topics: list[TopicRead]) -> list[Branch]:
    branches = {t.id: Branch(t) for t in topics}
    roots: list[Branch] = []
    for topic in topics:  # in path order, so siblings stay sorted by name
        parent = branches.get(topic.parent_id) if topic.parent_id else None
        (parent.children if parent else roots).append(branches[topic.id])
    return roots


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _parent(text: str) -> int | str | None:
    """The parent as chosen; blank is the top level, anything else not a number is left for
    the schema to refuse by field."""
    text = text.strip()
    return None if not text else int(text) if text.isdigit() else text


def _topics_page(
    request: Request,
    session: Session,
    user: User,
    *,
    errors: dict[str, Errors] | None = None,
    values: dict[str, str] | None = None,
    samples: str = "",
    tried: list[tuple[str, Analysis]] | None = None,
    status_code: int = 200,
) -> Response:
    topics = list_topics(session)
    context: dict[str, Any] = {
        "tree": _tree(topics),
        "topics": topics,
        "can_manage": user_can(session, user, Permission.understanding_manage),
        "errors": errors or {},
        "values": values or {},
        "samples": samples,
        "tried": tried,
        "matched": sum(1 for _, analysis in tried or [] if analysis.topics),
        "max_texts": MAX_TEXTS,
        "done": request.query_params.get("done"),
    }
    return render(
        request, "text/topics.html", context, user=user, active="text", status_code=status_code
    )


@router.get(TOPICS)
def topics_page(request: Request, session: SessionDep, user: PageUser) -> Response:
    """The taxonomy, each topic with its description and examples."""
    require_permission(session, user, Permission.understanding_read)
    return _topics_page(request, session, user)


@router.post(TOPICS)
def add_topic(
    request: Request,
    session: SessionDep,
    user: PageUser,
    _csrf: CsrfChecked,
    name: Short = "",
    description: Long = "",
    parent_id: Short = "",
    examples: Long = "",
) -> Response:
    require_permission(session, user, Permission.understanding_manage)
    values = {
        "name": name,
        "description": description,
        "parent_id": parent_id,
        "examples": examples,
    }
    try:
        data = TopicCreate.model_validate(
            {
                "name": name,
                "description": description,
                "parent_id": _parent(parent_id),
                "examples": _lines(examples),
            }
        )
        topic = create_topic(session, data=data)
    except (CxloopError, ValidationError) as exc:
        where, message = field_problem(exc)
        return _topics_page(
            request, session, user, errors={"add": {where: message}}, values=values, status_code=422
        )
    return RedirectResponse(f"{TOPICS}?done=added#topic-{topic.id}", status_code=303)


def _editor(
    request: Request,
    session: Session,
    user: User,
    topic: TopicRead,
    *,
    values: dict[str, str],
    errors: Errors | None = None,
    status_code: int = 200,
) -> Response:
    below = {t.id for t in subtopics(session, topic_id=topic.id)}
    parents = [t for t in list_topics(session) if t.id != topic.id and t.id not in below]
    context = {"topic": topic, "parents": parents, "values": values, "errors": errors or {}}
    return render(
        request, "text/topic_edit.html", context, user=user, active="text", status_code=status_code
    )


@router.get(TOPICS + "/{topic_id}/edit")
def edit_form(request: Request, topic_id: int, session: SessionDep, user: PageUser) -> Response:
    """Rename a topic, describe it better, teach it more examples, or move it."""
    require_permission(session, user, Permission.understanding_manage)
    topic = read_topic(session, topic_id)
    values = {
        "name": topic.name,
        "description": topic.description,
        "parent_id": str(topic.parent_id or ""),
        "examples": "\n".join(topic.examples),
    }
    return _editor(request, session, user, topic, values=values)


@router.post(TOPICS + "/{topic_id}/edit")
def save_topic(
    request: Request,
    topic_id: int,
    session: SessionDep,
    user: PageUser,
    _csrf: CsrfChecked,
    name: Short = "",
    description: Long = "",
    parent_id: Short = "",
    examples: Long = "",
) -> Response:
    require_permission(session, user, Permission.understanding_manage)
    topic = read_topic(session, topic_id)
    values = {
        "name": name,
        "description": description,
        "parent_id": parent_id,
        "examples": examples,
    }
    try:
        data = TopicUpdate.model_validate(
            {
                "name": name,
                "description": description,
                "parent_id": _parent(parent_id),
                "examples": _lines(examples),
            }
        )
        update_topic(session, topic_id=topic.id, data=data)
    except (CxloopError, ValidationError) as exc:
        where, message = field_problem(exc)
        return _editor(
            request, session, user, topic, values=values, errors={where: message}, status_code=422
        )
    return RedirectResponse(f"{TOPICS}?done=saved#topic-{topic.id}", status_code=303)


@router.get(TOPICS + "/{topic_id}/delete")
def confirm_delete(
    request: Request, topic_id: int, session: SessionDep, user: PageUser
) -> Response:
    """Ask first, naming every subtopic that goes with it."""
    require_permission(session, user, Permission.understanding_manage)
    topic = read_topic(session, topic_id)
    context = {"topic": topic, "below": subtopics(session, topic_id=topic_id)}
    return render(request, "text/topic_delete.html", context, user=user, active="text")


@router.post(TOPICS + "/{topic_id}/delete")
def delete(topic_id: int, session: SessionDep, user: PageUser, _csrf: CsrfChecked) -> Response:
    require_permission(session, user, Permission.understanding_manage)
    delete_topic(session, topic_id=topic_id)
    return RedirectResponse(f"{TOPICS}?done=deleted", status_code=303)


def _samples_problem(texts: list[str]) -> str | None:
    if not texts:
        return "paste at least one text, one per line"
    if len(texts) > MAX_TEXTS:
        return f"paste at most {MAX_TEXTS} texts at a time; there are {len(texts)}"
    total = sum(len(t) for t in texts)
    if total > MAX_REQUEST_CHARS:
        return f"the texts hold {total} characters; paste at most {MAX_REQUEST_CHARS}"
    return None


def _analyse(session: Session, settings: Settings, texts: list[str]) -> list[Analysis]:
    analyser = shared_analyser(settings.resolved_model_dir, settings.max_text_chars)
    return analyse_texts(session, analyser, texts)


@router.post(TOPICS + "/try")
def try_topics(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: PageUser,
    _csrf: CsrfChecked,
    samples: Long = "",
) -> Response:
    """The topics the current taxonomy gives each sample text, with their confidence; the
    texts are analysed as enrichment would analyse them, personal data redacted, and not kept."""
    require_permission(session, user, Permission.understanding_read)
    texts = _lines(samples)
    problem = _samples_problem(texts)
    if problem:
        errors = {"try": {"samples": problem}}
        return _topics_page(request, session, user, errors=errors, samples=samples, status_code=422)
    tried = list(zip(texts, _analyse(session, settings, texts), strict=True))
    return _topics_page(request, session, user, samples=samples, tried=tried)
