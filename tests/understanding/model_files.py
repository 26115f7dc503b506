"""Search a written model folder for text, inside its compressed joblib files too."""

from __future__ import annotations

import pickle
from pathlib import Path

import joblib


def model_contents(folder: Path) -> bytes:
    """Every file of ``folder`` as bytes, lower-cased; a joblib file is loaded and pickled
    again uncompressed, so what a compressed head keeps (a vocabulary) is searched too."""
    parts: list[bytes] = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        if path.suffix == ".joblib":
            parts.append(pickle.dumps(joblib.load(path)))
        else:
            parts.append(path.read_bytes())
    return b"\n".join(parts).lower()


def found(folder: Path, needles: list[str]) -> list[str]:
    contents = model_contents(folder)
    return [n for n in needles if n.lower().encode() in contents]
