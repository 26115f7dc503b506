"""Embeddings of training sets kept on disk, so a second training run skips the encoder.

The key covers the encoder version and every text, in order: a changed file or encoder is a
different entry, never a stale one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from cxloop.understanding.encoder import Encoder, Vectors


def cache_key(version: str, texts: Sequence[str]) -> str:
    digest = hashlib.sha256(version.encode())
    for text in texts:
        digest.update(b"\x00")
        digest.update(text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


def embed_cached(encoder: Encoder, texts: Sequence[str], cache_dir: Path | None) -> Vectors:
    if cache_dir is None:
        return encoder.encode(texts)
    path = cache_dir / "embeddings" / f"{cache_key(encoder.version, texts)}.npy"
    if path.is_file():
        cached: Vectors = np.load(path)
        return cached
    vectors = encoder.encode(texts)
    path.parent.mkdir(parents=True, exist_ok=True)
    scratch = path.with_suffix(".tmp.npy")
    np.save(scratch, vectors)
    scratch.replace(path)
    return vectors
