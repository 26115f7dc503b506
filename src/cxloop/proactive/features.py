"""What each feature column is, learnt once from the training file and reused at scoring.

A column whose every non-blank value is a number is numeric (blanks stay missing: the trees
route them, the additive model imputes the median and flags them); anything else is a
category. Categories seen too rarely to learn from, and categories never seen in training,
share one "(other)" level, so a new plan or channel at scoring still gets a score. Pairs of
non-negative numeric columns also enter as log-ratios (spend per month of tenure, contacts
per order): neither trees nor an additive model can form a ratio from its parts.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from cxloop.errors import ValidationFailed
from cxloop.proactive.table import Cell

OTHER = "(other)"
BLANK = "(blank)"
MAX_CATEGORIES = 50  # the trees handle at most 255 levels; more rarely helps a churn model
MIN_CATEGORY_ROWS = 5
MAX_RATIO_COLUMNS = 8  # 28 log-ratios at most
RATIO_PREFIX = "ratio:"


def as_number(value: Cell) -> float | None:
    """A finite number, None for a blank; anything else raises ValueError."""
    if value is None:
        return None
    number = value if isinstance(value, float) else float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def _is_numeric(values: Sequence[Cell]) -> bool:
    try:
        for value in values:
            as_number(value)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Numeric:
    name: str
    median: float
    deciles: tuple[float, ...]
    non_negative: bool
    blanks: int


@dataclass(frozen=True)
class Categorical:
    name: str
    categories: tuple[str, ...]  # kept levels, most frequent first
    shares: tuple[float, ...]  # their share of training rows, for reference values
    blanks: int

    @property
    def levels(self) -> list[str]:
        return [*self.categories, OTHER, BLANK]


@dataclass(frozen=True)
class Schema:
    numeric: tuple[Numeric, ...]
    categorical: tuple[Categorical, ...]
    ratios: tuple[tuple[str, str], ...]
    ignored: dict[str, str] = field(default_factory=dict)

    @property
    def columns(self) -> list[Numeric | Categorical]:
        return [*self.numeric, *self.categorical]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def numeric_inputs(self) -> list[str]:
        """Numeric model inputs: the columns and their log-ratios."""
        return [c.name for c in self.numeric] + [_ratio_name(a, b) for a, b in self.ratios]

    def frame(self, columns: Mapping[str, Sequence[Cell]], row_numbers: Sequence[int]) -> Any:
        """The model's input for these rows; a missing column or a word in a numeric column
        is an error naming it (and the row)."""
        absent = [name for name in self.names if name not in columns]
        if absent:
            raise ValidationFailed(
                f"the model needs column(s) {', '.join(repr(n) for n in absent)}, "
                "which the file does not have",
                field="data",
            )
        data: dict[str, Any] = {}
        for column in self.numeric:
            data[column.name] = _numbers(column.name, columns[column.name], row_numbers)
        for category in self.categorical:
            data[category.name] = self.categories_of(category, columns[category.name])
        return with_ratios(pd.DataFrame(data), self.ratios)

    def categories_of(self, column: Categorical, values: Sequence[Cell]) -> Any:
        known = set(column.categories)
        mapped = [
            BLANK if v is None else (text if (text := _text(v)) in known else OTHER) for v in values
        ]
        return pd.Categorical(mapped, categories=column.levels)

    def unseen(self, columns: Mapping[str, Sequence[Cell]]) -> dict[str, int]:
        """Per column, how many values training never saw (scored as "(other)")."""
        counts: dict[str, int] = {}
        for column in self.categorical:
            known = set(column.categories)
            seen_before = (v is None or _text(v) in known for v in columns[column.name])
            if missing := sum(not ok for ok in seen_before):
                counts[column.name] = missing
        return counts

    def describe(self) -> list[dict[str, Any]]:
        """The features as the model card lists them."""
        numeric: list[dict[str, Any]] = [
            {"name": c.name, "kind": "numeric", "median": c.median, "blanks": c.blanks}
            for c in self.numeric
        ]
        categorical: list[dict[str, Any]] = [
            {
                "name": c.name,
                "kind": "categorical",
                "categories": list(c.categories),
                "blanks": c.blanks,
            }
            for c in self.categorical
        ]
        return numeric + categorical


def _text(value: Cell) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _ratio_name(a: str, b: str) -> str:
    return f"{RATIO_PREFIX}{a}/{b}"


def with_ratios(frame: Any, ratios: Sequence[tuple[str, str]]) -> Any:
    """``frame`` with log(1 + a) - log(1 + b) for each pair (negatives count as zero)."""
    for a, b in ratios:
        top = np.log1p(frame[a].clip(lower=0))
        bottom = np.log1p(frame[b].clip(lower=0))
        frame[_ratio_name(a, b)] = top - bottom
    return frame


def _numbers(name: str, values: Sequence[Cell], row_numbers: Sequence[int]) -> Any:
    out = np.empty(len(values))
    for i, (value, number) in enumerate(zip(values, row_numbers, strict=True)):
        try:
            parsed = as_number(value)
        except ValueError:
            raise ValidationFailed(
                f"row {number}: column '{name}' is '{value}', not a number", field=name
            ) from None
        out[i] = np.nan if parsed is None else parsed
    return out


def _numeric(name: str, values: Sequence[Cell]) -> Numeric:
    numbers = np.array([n for v in values if (n := as_number(v)) is not None])
    return Numeric(
        name=name,
        median=float(np.median(numbers)),
        deciles=tuple(float(q) for q in np.quantile(numbers, np.linspace(0.05, 0.95, 10))),
        non_negative=bool(numbers.min() >= 0),
        blanks=len(values) - len(numbers),
    )


def _categorical(name: str, values: Sequence[Cell]) -> Categorical:
    present = [_text(v) for v in values if v is not None]
    common = [
        (level, n)
        for level, n in Counter(present).most_common(MAX_CATEGORIES)
        if n >= MIN_CATEGORY_ROWS
    ]
    return Categorical(
        name=name,
        categories=tuple(level for level, _ in common),
        shares=tuple(n / len(values) for _, n in common),
        blanks=len(values) - len(present),
    )


def infer_schema(columns: Mapping[str, Sequence[Cell]]) -> Schema:
    """Each column's kind from its values; a column with a single value (or none) teaches
    nothing and is listed as ignored rather than failing the training."""
    numeric: list[Numeric] = []
    categorical: list[Categorical] = []
    ignored: dict[str, str] = {}
    flags: set[str] = set()  # two-valued numbers (0/1) are flags, not quantities to divide
    for name, values in columns.items():
        distinct = {_text(v) for v in values if v is not None}
        if len(distinct) < 2:
            ignored[name] = "blank in every row" if not distinct else "the same in every row"
        elif _is_numeric(values):
            numeric.append(_numeric(name, values))
            if len(distinct) == 2:
                flags.add(name)
        else:
            kept = _categorical(name, values)
            if kept.categories:
                categorical.append(kept)
            else:
                ignored[name] = f"no value occurs {MIN_CATEGORY_ROWS} times (an identifier?)"
    if not numeric and not categorical:
        raise ValidationFailed(
            "no usable feature columns: every column but the label and the id is "
            f"constant or blank ({', '.join(ignored) or 'none'})",
            field="data",
        )
    quantities = [c.name for c in numeric if c.non_negative and c.name not in flags]
    positive = quantities[:MAX_RATIO_COLUMNS]
    return Schema(
        numeric=tuple(numeric),
        categorical=tuple(categorical),
        ratios=tuple(itertools.combinations(positive, 2)),
        ignored=ignored,
    )
