"""Cohort formation: split members into cohorts of high affinity under hard constraints.

No Django here: the web layer converts its models into :class:`Member` profiles (or an affinity
matrix) and calls :func:`form_cohorts` or :func:`solve`.
"""

from .advice import Advice, advise, min_tz_spread
from .explain import CohortExplanation, MemberExplanation, explain
from .features import (
    ALL_FORMATS,
    HYBRID,
    IN_PERSON,
    VIRTUAL,
    FeatureAffinity,
    IndustryMode,
    Member,
    Weights,
    build_features,
)
from .moves import MoveCheck, check_move, cohort_scores
from .problem import InfeasibleError, Problem, make_problem, violations
from .solver import Solution, form_cohorts, solve, warmup

__all__ = [
    "ALL_FORMATS",
    "HYBRID",
    "IN_PERSON",
    "VIRTUAL",
    "Advice",
    "CohortExplanation",
    "FeatureAffinity",
    "IndustryMode",
    "InfeasibleError",
    "Member",
    "MemberExplanation",
    "MoveCheck",
    "Problem",
    "Solution",
    "Weights",
    "advise",
    "build_features",
    "check_move",
    "cohort_scores",
    "explain",
    "form_cohorts",
    "make_problem",
    "min_tz_spread",
    "solve",
    "violations",
    "warmup",
]
