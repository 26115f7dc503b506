"""What enrichment embedded is remembered, so the router reads the vector instead of
running the encoder again for the same redacted text."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from cxloop.understanding import Analyser, encode_remembered, forget_vectors, remember


@pytest.fixture(autouse=True)
def empty_memory() -> Iterator[None]:
    forget_vectors()
    yield
    forget_vectors()


def test_the_vector_enrichment_made_is_the_one_read_back(analyser: Analyser) -> None:
    (result,) = analyser.analyse(["My parcel never came, call me on +1 415 555 0132"])
    assert "555" not in result.redacted

    remembered = encode_remembered(analyser.encoder, [result.redacted])
    fresh = analyser.encoder.encode([result.redacted])
    np.testing.assert_allclose(remembered, fresh, atol=1e-6)


def test_a_remembered_text_is_not_encoded_again(analyser: Analyser) -> None:
    encoder = analyser.encoder
    marker = np.full((1, 384), 0.5, dtype=np.float32)
    remember(encoder.version, ["the refund has not arrived"], marker)

    both = encode_remembered(encoder, ["the refund has not arrived", "where is my order"])

    np.testing.assert_array_equal(both[0], marker[0])  # no encoder gives this vector
    np.testing.assert_allclose(both[1], encoder.encode(["where is my order"])[0], atol=1e-6)


def test_a_vector_is_reused_only_for_the_same_encoder_and_the_exact_text(
    analyser: Analyser,
) -> None:
    encoder = analyser.encoder
    marker = np.full((1, 384), 0.5, dtype=np.float32)
    remember("another-encoder", ["late delivery"], marker)
    remember(encoder.version, ["late delivery"], marker)

    other_text = encode_remembered(encoder, ["late delivery!"])
    assert not np.array_equal(other_text[0], marker[0])
    forget_vectors()
    remember("another-encoder", ["late delivery"], marker)
    assert not np.array_equal(encode_remembered(encoder, ["late delivery"])[0], marker[0])


def test_no_texts_no_vectors(analyser: Analyser) -> None:
    assert encode_remembered(analyser.encoder, []).shape == (0, 384)
