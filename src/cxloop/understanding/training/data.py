"""Labelled texts read from a user's file, with errors that name the row and the column, and
with personal data redacted before any model sees them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cxloop.errors import ValidationFailed
from cxloop.store.tabular import detect_format, read_rows
from cxloop.understanding.pii import scrub


@dataclass
class Labelled:
    texts: list[str]
    labels: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, indices: list[int]) -> Labelled:
        return Labelled([self.texts[i] for i in indices], [self.labels[i] for i in indices])

    def scrubbed(self) -> Labelled:
        """The texts with personal data redacted, as enrichment stores them."""
        return Labelled([scrub(t) for t in self.texts], list(self.labels))


def read_labelled(path: Path, *, text_col: str, label_col: str) -> Labelled:
    """Every row's text and label; a row missing either, or a missing column, is an error."""
    if not path.is_file():
        raise ValidationFailed(f"no such file: {path}", field="data")
    texts: list[str] = []
    labels: list[str] = []
    for row in read_rows(path, detect_format(path)):
        if row.error:
            raise ValidationFailed(f"row {row.number}: {row.error}", field="data")
        for column in (text_col, label_col):
            if column not in row.values:
                raise ValidationFailed(
                    f"row {row.number}: no column '{column}' "
                    f"(columns: {', '.join(sorted(row.values))})",
                    field=column,
                )
        text, label = row.values[text_col], row.values[label_col]
        if text is None or not str(text).strip():
            raise ValidationFailed(
                f"row {row.number}: column '{text_col}' is empty", field=text_col
            )
        if label is None or not str(label).strip():
            raise ValidationFailed(
                f"row {row.number}: column '{label_col}' is empty", field=label_col
            )
        texts.append(str(text))
        labels.append(str(label).strip())
    if not texts:
        raise ValidationFailed(f"'{path.name}' has no rows", field="data")
    # A company's own file (an export of its interactions) holds personal data: models train
    # and are measured on the redacted text, so no model folder keeps an email or a phone.
    return Labelled(texts, labels).scrubbed()
