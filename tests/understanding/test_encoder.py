from __future__ import annotations

import numpy as np
import pytest

from cxloop.understanding import Analyser
from cxloop.understanding.encoder import BATCH, MAX_TOKENS, Encoder

SENTENCES = [
    "The courier delivered my parcel early.",
    "You charged me twice for it!",
    "ok",
    "I have been on hold for two hours and nobody picked up the phone, this is unacceptable.",
]


@pytest.fixture(scope="module")
def encoder(analyser: Analyser) -> Encoder:
    return analyser.encoder


def test_a_text_keeps_its_vector_whatever_order_its_batch_comes_in(encoder: Encoder) -> None:
    forward = encoder.encode(SENTENCES)
    backward = encoder.encode(SENTENCES[::-1])[::-1]
    assert np.allclose(forward, backward, atol=1e-6)
    assert np.allclose(np.linalg.norm(forward, axis=1), 1, atol=1e-5)


def test_texts_beyond_one_batch_are_all_encoded(encoder: Encoder) -> None:
    texts = [f"order number {i} arrived broken" for i in range(BATCH + 5)]
    vectors = encoder.encode(texts)
    assert vectors.shape == (BATCH + 5, 384)
    assert np.all(np.linalg.norm(vectors, axis=1) > 0.99)


def test_pieces_match_their_vectors_encoded_alone(encoder: Encoder) -> None:
    """Pieces are batched by token count with no padding to speak of; each one's vector is
    its own vector, up to the int8 graph's rounding (its activations are scaled per batch,
    which moves a very short text like "ok" the most)."""
    pieces = encoder.encode_pieces(SENTENCES)
    for sentence, vector in zip(SENTENCES, pieces, strict=True):
        (alone,) = encoder.encode([sentence])
        assert float(vector @ alone) > 0.95, sentence


def test_pieces_keep_their_own_topic(encoder: Encoder) -> None:
    pieces = encoder.encode_pieces(SENTENCES)
    similarity = pieces @ encoder.encode(SENTENCES).T
    assert list(similarity.argmax(axis=1)) == list(range(len(SENTENCES)))


def test_long_texts_are_cut_at_the_token_limit(encoder: Encoder) -> None:
    long = "the delivery was late again " * 200
    cut = " ".join(long.split()[: MAX_TOKENS - 2])
    whole, prefix = encoder.encode([long, cut])
    assert float(whole @ prefix) > 0.999
    (piece,) = encoder.encode_pieces([long])
    assert float(piece @ whole) > 0.97


def test_nothing_to_encode_is_an_empty_matrix(encoder: Encoder) -> None:
    assert encoder.encode([]).shape == (0, 384)
    assert encoder.encode_pieces([]).shape == (0, 384)
