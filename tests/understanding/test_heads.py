"""A deployed model directory is replaced whole or not at all."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cxloop.understanding import replace_directory


def _write(files: dict[str, str]) -> Callable[[Path], None]:
    def fill(staging: Path) -> None:
        staging.mkdir()
        for name, text in files.items():
            (staging / name).write_text(text)

    return fill


def test_a_new_model_replaces_the_old_one_and_leaves_nothing_beside_it(tmp_path: Path) -> None:
    target = tmp_path / "heads" / "intent"
    replace_directory(target, _write({"head.joblib": "old", "extra.txt": "old"}))

    replace_directory(target, _write({"head.joblib": "new"}))

    assert {p.name: p.read_text() for p in target.iterdir()} == {"head.joblib": "new"}
    assert [p.name for p in target.parent.iterdir()] == ["intent"]


def test_a_copy_that_fails_keeps_the_deployed_model_and_leaves_nothing_beside_it(
    tmp_path: Path,
) -> None:
    target = tmp_path / "intent"
    replace_directory(target, _write({"head.joblib": "old"}))

    def broken(staging: Path) -> None:
        staging.mkdir()
        (staging / "head.joblib").write_text("half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        replace_directory(target, broken)

    assert (target / "head.joblib").read_text() == "old"
    assert [p.name for p in target.parent.iterdir()] == ["intent"]
