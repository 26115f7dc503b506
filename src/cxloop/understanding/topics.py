"""The company's taxonomy: topics nested under topics, each with a description and examples."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from cxloop.errors import NotFound, ValidationFailed
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


def _check_parent(session: Session, topic_id: int | None, parent_id: int | None) -> None:
    if parent_id is None:
        return
    node: Topic | None = get_topic(session, parent_id)
    depth = 1
    while node is not None:
        if node.id == topic_id:
            raise ValidationFailed("a topic cannot sit under itself", field="parent_id")
        depth += 1
        node = session.get(Topic, node.parent_id) if node.parent_id else None
    if depth > MAX_DEPTH:
        raise ValidationFailed(f"topics nest at most {MAX_DEPTH} deep", field="parent_id")


def _clean_examples(examples: list[str]) -> list[str]:
    return [e.strip() for e in examples if e.strip()]


def create_topic(session: Session, *, data: TopicCreate) -> TopicRead:
    _check_parent(session, None, data.parent_id)
    topic = Topic(
        name=data.name.strip(),
        description=data.description.strip(),
        parent_id=data.parent_id,
        examples=_clean_examples(data.examples),
    )
    session.add(topic)
    session.flush()
    return read_topic(session, topic.id)


def update_topic(session: Session, *, topic_id: int, data: TopicUpdate) -> TopicRead:
    topic = get_topic(session, topic_id)
    if "parent_id" in data.model_fields_set:
        _check_parent(session, topic.id, data.parent_id)
        topic.parent_id = data.parent_id
    if data.name is not None:
        topic.name = data.name.strip()
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
