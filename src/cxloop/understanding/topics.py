"""The company's taxonomy: topics nested under topics, each with a description and examples.

Every change is checked here (a blank name already by the schemas), so the API and the web app
refuse the same things: two topics of one name side by side (their paths could not be told
apart), a topic moved under itself or its own subtopics, and a tree deeper than ``MAX_DEPTH``.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.errors import Conflict, NotFound, ValidationFailed
from cxloop.understanding.models import Topic
from cxloop.understanding.schemas import TopicCreate, TopicRead, TopicUpdate
from cxloop.understanding.taxonomy import SEPARATOR, TopicDef

MAX_DEPTH = 4


def _paths(topics: list[Topic]) -> dict[int, str]:
    by_id = {t.id: t for t in topics}
    paths: dict[int, str] = {}
    for topic in topics:
        names: list[str] = []
        node: Topic | None = topic
        while node is not None and len(names) <= MAX_DEPTH:
            names.append(node.name)
            node = by_id.get(node.parent_id) if node.parent_id else None
        paths[topic.id] = SEPARATOR.join(reversed(names))
    return paths


def all_topics(session: Session) -> list[Topic]:
    return list(session.scalars(select(Topic).order_by(Topic.id)))


def list_topics(session: Session) -> list[TopicRead]:
    topics = all_topics(session)
    paths = _paths(topics)
    reads = [_read(t, paths[t.id]) for t in topics]
    return sorted(reads, key=lambda t: t.path.lower())


def topic_defs(session: Session) -> list[TopicDef]:
    topics = all_topics(session)
    paths = _paths(topics)
    return [TopicDef(t.id, t.name, paths[t.id], t.description, tuple(t.examples)) for t in topics]


def _read(topic: Topic, path: str) -> TopicRead:
    return TopicRead(
        id=topic.id,
        name=topic.name,
        path=path,
        parent_id=topic.parent_id,
        description=topic.description,
        examples=list(topic.examples),
    )


def get_topic(session: Session, topic_id: int) -> Topic:
    topic = session.get(Topic, topic_id)
    if topic is None:
        raise NotFound(f"topic {topic_id} does not exist")
    return topic


def _children(topics: list[Topic]) -> dict[int | None, list[Topic]]:
    children: dict[int | None, list[Topic]] = {}
    for topic in topics:
        children.setdefault(topic.parent_id, []).append(topic)
    return children


def _below(topics: list[Topic], topic_id: int) -> list[Topic]:
    """Every topic under ``topic_id``, at any depth."""
    children = _children(topics)
    found: list[Topic] = []
    pending = list(children.get(topic_id, []))
    while pending:
        topic = pending.pop()
        found.append(topic)
        pending.extend(children.get(topic.id, []))
    return found


def _height(topics: list[Topic], topic_id: int) -> int:
    """Levels from ``topic_id`` down to its deepest subtopic (1 for a topic without any)."""
    children = _children(topics)

    def height(node_id: int) -> int:
        return 1 + max((height(child.id) for child in children.get(node_id, [])), default=0)

    return height(topic_id)


def subtopics(session: Session, *, topic_id: int) -> list[TopicRead]:
    """The topics under a topic, at any depth, in path order: what deleting it takes along."""
    get_topic(session, topic_id)
    topics = all_topics(session)
    paths = _paths(topics)
    reads = [_read(t, paths[t.id]) for t in _below(topics, topic_id)]
    return sorted(reads, key=lambda t: t.path.lower())


def _check_parent(session: Session, topic_id: int | None, parent_id: int | None) -> None:
    if parent_id is None:
        return
    node = session.get(Topic, parent_id)
    if node is None:
        raise ValidationFailed(f"there is no topic {parent_id} to go under", field="parent_id")
    depth = 1
    while node is not None:
        if node.id == topic_id:
            raise ValidationFailed(
                "a topic cannot sit under itself or under one of its own subtopics",
                field="parent_id",
            )
        depth += 1
        node = session.get(Topic, node.parent_id) if node.parent_id else None
    if topic_id is not None:
        depth += _height(all_topics(session), topic_id) - 1
    if depth > MAX_DEPTH:
        raise ValidationFailed(
            f"topics nest at most {MAX_DEPTH} deep, subtopics included", field="parent_id"
        )


def _check_name(session: Session, name: str, parent_id: int | None, topic_id: int | None) -> str:
    """The name as stored; refused when already taken beside it (in any letter case)."""
    name = name.strip()
    same_parent = Topic.parent_id.is_(None) if parent_id is None else Topic.parent_id == parent_id
    for other in session.scalars(select(Topic).where(same_parent)):
        if other.id != topic_id and other.name.casefold() == name.casefold():
            where = "at the top level" if parent_id is None else "under this parent"
            raise Conflict(f"there is already a topic '{other.name}' {where}", field="name")
    return name


def _clean_examples(examples: list[str]) -> list[str]:
    return [e.strip() for e in examples if e.strip()]


def create_topic(session: Session, *, data: TopicCreate) -> TopicRead:
    _check_parent(session, None, data.parent_id)
    topic = Topic(
        name=_check_name(session, data.name, data.parent_id, None),
        description=data.description.strip(),
        parent_id=data.parent_id,
        examples=_clean_examples(data.examples),
    )
    session.add(topic)
    session.flush()
    return read_topic(session, topic.id)


def update_topic(session: Session, *, topic_id: int, data: TopicUpdate) -> TopicRead:
    topic = get_topic(session, topic_id)
    moving = "parent_id" in data.model_fields_set and data.parent_id != topic.parent_id
    if moving:
        _check_parent(session, topic.id, data.parent_id)
    parent_id = data.parent_id if moving else topic.parent_id
    if moving or data.name is not None:
        topic.name = _check_name(session, data.name or topic.name, parent_id, topic.id)
    topic.parent_id = parent_id
    if data.description is not None:
        topic.description = data.description.strip()
    if data.examples is not None:
        topic.examples = _clean_examples(data.examples)
    session.flush()
    return read_topic(session, topic.id)


def delete_topic(session: Session, *, topic_id: int) -> None:
    topic = get_topic(session, topic_id)
    for child in session.scalars(select(Topic).where(Topic.parent_id == topic.id)):
        delete_topic(session, topic_id=child.id)
    session.delete(topic)
    session.flush()


def read_topic(session: Session, topic_id: int) -> TopicRead:
    get_topic(session, topic_id)
    paths = _paths(all_topics(session))
    return _read(get_topic(session, topic_id), paths[topic_id])
