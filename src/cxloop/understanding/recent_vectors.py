"""The sentence vectors of the texts this process embedded lately, kept in memory.

Enrichment embeds every redacted text; minutes later, in the same worker, the learned router
needs the vector of that same redacted text to place the case it opened. Running the encoder
again is most of what routing by model costs, so enrichment remembers what it embedded here
and :func:`encode_remembered` reads it back, encoding only what it does not find (another
process enriched it, or it fell out of the memory). The key is a digest of the encoder's
version and the exact text, so a vector is only ever reused for the text and encoder that
made it.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np

from cxloop.understanding.encoder import DIMENSIONS, Encoder, Vectors

CAPACITY = 20_000
"""Vectors kept (384 float32 each: about 30 MB at most), the least recently used dropped."""

_memory: OrderedDict[bytes, Vectors] = OrderedDict()
_lock = threading.Lock()


def _key(version: str, text: str) -> bytes:
    digest = hashlib.blake2b(version.encode(), digest_size=16)
    digest.update(b"\0")
    digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.digest()


def remember(version: str, texts: Sequence[str], vectors: Vectors) -> None:
    """Keep the vector of each text, as the encoder of ``version`` gave it."""
    with _lock:
        for text, vector in zip(texts, vectors, strict=True):
            key = _key(version, text)
            _memory[key] = vector
            _memory.move_to_end(key)
        while len(_memory) > CAPACITY:
            _memory.popitem(last=False)


def encode_remembered(encoder: Encoder, texts: Sequence[str]) -> Vectors:
    """The encoder's vectors for ``texts``, read from memory where this process embedded the
    same text with the same encoder, encoded (and remembered) otherwise."""
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    missing: list[int] = []
    with _lock:
        for i, text in enumerate(texts):
            key = _key(encoder.version, text)
            vector = _memory.get(key)
            if vector is None:
                missing.append(i)
            else:
                _memory.move_to_end(key)
                out[i] = vector
    if missing:
        fresh = encoder.encode([texts[i] for i in missing])
        remember(encoder.version, [texts[i] for i in missing], fresh)
        out[missing] = fresh
    return out


def forget_vectors() -> None:
    """Empty the memory (a test, or an operator freeing it)."""
    with _lock:
        _memory.clear()
