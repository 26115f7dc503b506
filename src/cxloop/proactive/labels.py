"""Which value of the label column means "left": told, or read from the usual spellings.

A churn model outputs the probability of one of two values; guessing the wrong one would
silently invert every score, so anything other than a recognisable yes/no pair needs
``--positive``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cxloop.errors import ValidationFailed

# The spellings of "this customer left" we accept without being told.
POSITIVE = frozenset({"1", "yes", "y", "true", "t", "churn", "churned", "left"})
MIN_PER_CLASS = 5


@dataclass(frozen=True)
class Outcome:
    """The label column's two values; ``positive`` is the one the score is the chance of."""

    column: str
    positive: str
    negative: str

    def encode(self, labels: Sequence[str], row_numbers: Sequence[int]) -> NDArray[np.int_]:
        """1 for positive, 0 for negative; any third value is an error naming its row."""
        known = {self.positive: 1, self.negative: 0}
        for label, number in zip(labels, row_numbers, strict=True):
            if label not in known:
                raise ValidationFailed(
                    f"row {number}: column '{self.column}' is '{label}'; "
                    f"the model knows '{self.positive}' and '{self.negative}'",
                    field=self.column,
                )
        return np.array([known[label] for label in labels], dtype=np.int_)


NEEDS_BOTH = "a churn model needs customers who left and customers who stayed"


def outcome_of(
    labels: Sequence[str], *, column: str, positive: str | None, needs: str = NEEDS_BOTH
) -> Outcome:
    """The two classes of a training file, each with enough rows to cross-validate;
    ``needs`` says, when there is one class only, which two kinds of customer it takes."""
    counts = Counter(labels)
    if len(counts) == 1:
        raise ValidationFailed(
            f"column '{column}' has one value only ('{next(iter(counts))}'); {needs}",
            field=column,
        )
    if len(counts) > 2:
        values = ", ".join(f"'{v}'" for v in sorted(counts))
        raise ValidationFailed(
            f"column '{column}' has {len(counts)} values ({values}); churn needs two",
            field=column,
        )
    first, second = sorted(counts)
    if positive is None:
        recognised = [v for v in (first, second) if v.lower() in POSITIVE]
        if len(recognised) != 1:
            raise ValidationFailed(
                f"cannot tell which value of '{column}' means the customer left "
                f"('{first}' or '{second}'); pass --positive",
                field="positive",
            )
        positive = recognised[0]
    elif positive not in counts:
        raise ValidationFailed(
            f"--positive '{positive}' is not a value of '{column}' ('{first}', '{second}')",
            field="positive",
        )
    for value, count in counts.items():
        if count < MIN_PER_CLASS:
            raise ValidationFailed(
                f"column '{column}' has {count} rows with '{value}'; "
                f"need at least {MIN_PER_CLASS} of each value to train and cross-validate",
                field=column,
            )
    negative = second if positive == first else first
    return Outcome(column=column, positive=positive, negative=negative)
