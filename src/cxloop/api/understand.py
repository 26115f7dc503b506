"""Understanding over HTTP: analyse ad-hoc texts, read an interaction's enrichment, and edit
the topic taxonomy. Raw text is returned only to callers holding ``raw_text.read``; everyone
else reads the redacted text.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from cxloop.api.deps import SessionDep, SettingsDep, UnderstandingManage, UnderstandingRead
from cxloop.errors import NotFound, PayloadTooLarge
from cxloop.interactions import Interaction
from cxloop.understanding import (
    Analyser,
    AnalysisRead,
    EnrichmentRead,
    TopicCreate,
    TopicRead,
    TopicUpdate,
    UnderstandRequest,
    UnderstandResponse,
    analyse_texts,
    create_topic,
    delete_topic,
    get_enrichment,
    list_topics,
    read_topic,
    shared_analyser,
    update_topic,
)
from cxloop.understanding.schemas import MAX_REQUEST_CHARS

router = APIRouter(tags=["understanding"])


def get_analyser(settings: SettingsDep) -> Analyser:
    return shared_analyser(settings.resolved_model_dir, settings.max_text_chars)


AnalyserDep = Annotated[Analyser, Depends(get_analyser)]


@router.post("/understand", response_model=UnderstandResponse)
def understand(
    body: UnderstandRequest,
    session: SessionDep,
    _principal: UnderstandingRead,
    analyser: AnalyserDep,
) -> UnderstandResponse:
    """Analyse up to 100 texts now: language, redacted personal data, sentiment, emotion,
    topics, intent and urgency. Nothing is stored."""
    total = sum(len(text) for text in body.texts)
    if total > MAX_REQUEST_CHARS:
        raise PayloadTooLarge(
            f"the texts hold {total} characters; send at most {MAX_REQUEST_CHARS} per request"
        )
    results = analyse_texts(session, analyser, body.texts)
    return UnderstandResponse(
        results=[AnalysisRead.model_validate(r) for r in results],
        model_versions=analyser.versions,
    )


@router.get("/interactions/{interaction_id}/enrichment", response_model=EnrichmentRead)
def read_enrichment(
    interaction_id: int, session: SessionDep, principal: UnderstandingRead, request: Request
) -> EnrichmentRead:
    """What was understood of an interaction's text (404 while it is still queued)."""
    interaction = session.get(Interaction, interaction_id)
    if interaction is None:
        raise NotFound(f"interaction {interaction_id} does not exist")
    enrichment = get_enrichment(session, interaction_id)
    if enrichment is None:
        raise NotFound(f"interaction {interaction_id} has not been enriched (yet)")
    read = EnrichmentRead.model_validate(enrichment)
    if principal.viewer(request).reads_text(interaction.department_id):
        read.text = interaction.text
    return read


@router.get("/topics", response_model=list[TopicRead])
def topics(session: SessionDep, _principal: UnderstandingRead) -> list[TopicRead]:
    """The taxonomy, each topic with its full path (Billing > Unexpected charge)."""
    return list_topics(session)


@router.post("/topics", response_model=TopicRead, status_code=201)
def add_topic(
    body: TopicCreate, session: SessionDep, _principal: UnderstandingManage, response: Response
) -> TopicRead:
    """Add a topic; a name, a description and a few example phrasings are enough to start."""
    topic = create_topic(session, data=body)
    response.headers["Location"] = f"/api/v1/topics/{topic.id}"
    return topic


@router.get("/topics/{topic_id}", response_model=TopicRead)
def one_topic(topic_id: int, session: SessionDep, _principal: UnderstandingRead) -> TopicRead:
    return read_topic(session, topic_id)


@router.patch("/topics/{topic_id}", response_model=TopicRead)
def change_topic(
    topic_id: int, body: TopicUpdate, session: SessionDep, _principal: UnderstandingManage
) -> TopicRead:
    return update_topic(session, topic_id=topic_id, data=body)


@router.delete("/topics/{topic_id}", status_code=204)
def remove_topic(topic_id: int, session: SessionDep, _principal: UnderstandingManage) -> Response:
    """Delete a topic and the topics under it."""
    delete_topic(session, topic_id=topic_id)
    return Response(status_code=204)
