"""Per-customer outcomes of two arms, checked once so every estimator can trust them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from cxloop.errors import ValidationFailed

MIN_PER_ARM = 2  # a variance needs two customers


@dataclass(frozen=True)
class Arms:
    """Outcomes (and optional pre-period values) of the control and the treatment arm."""

    names: tuple[str, str]
    control: NDArray[np.float64]
    treatment: NDArray[np.float64]

    @property
    def sizes(self) -> tuple[int, int]:
        return len(self.control), len(self.treatment)


def values(name: str, data: Sequence[float], what: str = "outcomes") -> NDArray[np.float64]:
    array = np.asarray(data, dtype=np.float64)
    if array.size == 0:
        raise ValidationFailed(f"arm '{name}' has no customers", field=name)
    if array.size < MIN_PER_ARM:
        raise ValidationFailed(
            f"arm '{name}' has {array.size} customer; an effect needs at least {MIN_PER_ARM}",
            field=name,
        )
    if not np.isfinite(array).all():
        raise ValidationFailed(f"arm '{name}' has missing or infinite {what}", field=name)
    return array


def arms(
    control: Sequence[float],
    treatment: Sequence[float],
    names: tuple[str, str] = ("control", "treatment"),
) -> Arms:
    return Arms(names, values(names[0], control), values(names[1], treatment))


def pre_period(sample: Arms, pre_control: Sequence[float], pre_treatment: Sequence[float]) -> Arms:
    """The pre-period values, one per customer in the same order as the outcomes."""
    pre = arms(pre_control, pre_treatment, sample.names)
    for name, size, pre_size in zip(sample.names, sample.sizes, pre.sizes, strict=True):
        if size != pre_size:
            raise ValidationFailed(
                f"arm '{name}' has {size} outcomes but {pre_size} pre-period values",
                field=name,
            )
    return pre
