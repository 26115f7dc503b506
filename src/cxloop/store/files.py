"""Files replaced whole: written beside their place, then renamed over it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def replace_file(path: Path, write: Callable[[Path], object]) -> None:
    """Have ``write`` write the file beside ``path``, then rename it over ``path``: a crash, or
    a reader at the wrong moment, never sees half a file. The partial file keeps the suffix,
    which writers choose the format by."""
    partial = path.with_name(f"{path.stem}.partial{path.suffix}")
    write(partial)
    os.replace(partial, path)
