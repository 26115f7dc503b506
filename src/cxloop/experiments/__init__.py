"""Experiments: randomized arms, exposure, and the effect of a stimulus on any metric."""

from cxloop.experiments.assignment import Arm, assign, assign_stratified, bucket
from cxloop.experiments.design import Analysis, Plan, Verdict, analyse
from cxloop.experiments.effects import Effect, mean_effect, proportion_effect
from cxloop.experiments.power import sample_size_mean, sample_size_proportion
from cxloop.experiments.sequential import AlwaysValid, msprt

__all__ = [
    "AlwaysValid",
    "Analysis",
    "Arm",
    "Effect",
    "Plan",
    "Verdict",
    "analyse",
    "assign",
    "assign_stratified",
    "bucket",
    "mean_effect",
    "msprt",
    "proportion_effect",
    "sample_size_mean",
    "sample_size_proportion",
]
