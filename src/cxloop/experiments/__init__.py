"""Experiments: randomized arms, exposure, and the effect of a stimulus on any metric."""

from cxloop.experiments.assignment import Arm, assign, assign_stratified, bucket
from cxloop.experiments.design import Analysis, Plan, Verdict, analyse
from cxloop.experiments.effects import Effect, mean_effect, proportion_effect
from cxloop.experiments.enrolment import Exposure, enrol, expose, segment
from cxloop.experiments.models import Assignment, Experiment, Status
from cxloop.experiments.outcomes import EXPOSURE_TYPE
from cxloop.experiments.planning import SampleSize, plan_sample_size
from cxloop.experiments.power import sample_size_mean, sample_size_proportion
from cxloop.experiments.results import results
from cxloop.experiments.schemas import (
    ArmIn,
    Enrolment,
    ExperimentCreate,
    ExperimentRead,
    ExposureRead,
    PlanIn,
    Results,
)
from cxloop.experiments.sequential import AlwaysValid, msprt
from cxloop.experiments.service import (
    counts,
    create_experiment,
    experiment_page,
    get_experiment,
    read_experiment,
    start_experiment,
    update_plan,
)
from cxloop.experiments.stopping import stop_experiment

__all__ = [
    "EXPOSURE_TYPE",
    "AlwaysValid",
    "Analysis",
    "Arm",
    "ArmIn",
    "Assignment",
    "Effect",
    "Enrolment",
    "Experiment",
    "ExperimentCreate",
    "ExperimentRead",
    "Exposure",
    "ExposureRead",
    "Plan",
    "PlanIn",
    "Results",
    "SampleSize",
    "Status",
    "Verdict",
    "analyse",
    "assign",
    "assign_stratified",
    "bucket",
    "counts",
    "create_experiment",
    "enrol",
    "experiment_page",
    "expose",
    "get_experiment",
    "mean_effect",
    "msprt",
    "plan_sample_size",
    "proportion_effect",
    "read_experiment",
    "results",
    "sample_size_mean",
    "sample_size_proportion",
    "segment",
    "start_experiment",
    "stop_experiment",
    "update_plan",
]

from cxloop.experiments import plugin as _plugin
from cxloop.hooks import register_builtin as _register

_register(_plugin, "cxloop.experiments")
