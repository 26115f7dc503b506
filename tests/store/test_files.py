"""A file is replaced whole: its old content stays until the new one is complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxloop.store.files import replace_file


def test_the_new_content_takes_the_place_of_the_old(tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    path.write_text("old")

    replace_file(path, lambda partial: partial.write_text("new"))

    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["card.json"]


def test_the_partial_file_keeps_the_suffix_writers_choose_the_format_by(tmp_path: Path) -> None:
    suffixes: list[str] = []

    def write(partial: Path) -> None:
        suffixes.append(partial.suffix)
        partial.write_text("customer_id\n")

    replace_file(tmp_path / "export.csv", write)

    assert suffixes == [".csv"]


def test_a_write_that_fails_leaves_the_old_content(tmp_path: Path) -> None:
    path = tmp_path / "card.json"
    path.write_text("old")

    def disk_full(partial: Path) -> None:
        partial.write_text("ne")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        replace_file(path, disk_full)
    assert path.read_text() == "old"
