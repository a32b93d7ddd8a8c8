"""Cohort formation: split members into cohorts of high affinity under hard constraints.

No Django here: the web layer converts its models into :class:`Member` profiles (or an affinity
matrix) and calls :func:`form_cohorts` or :func:`solve`.
"""

from .advice import Advice, advise, min_tz_spread
from .defaults import CohortPlan, Segment, propose_cohorts
from .explain import CohortExplanation, MemberExplanation, explain
from .features import (
    ALL_FORMATS,
    DEFAULT_HOURS,
    DEFAULT_MAX_KM,
    FORMAT_NAMES,
    HYBRID,
    IN_PERSON,
    VIRTUAL,
    CohortSpec,
    FeatureAffinity,
    Hours,
    IndustryMode,
    Member,
    Weights,
    build_features,
)
from .geo import haversine_km
from .hours import member_start_slots, utc_intervals
from .moves import MoveCheck, check_move, cohort_scores
from .placement import OpenCohort, PlacementIndex, Seat, Suggestion, place_pool
from .problem import DISTANCE_PENALTY, InfeasibleError, Problem, make_problem, violations
from .solver import Solution, form_cohorts, solve, warmup

__all__ = [
    "ALL_FORMATS",
    "DEFAULT_HOURS",
    "DEFAULT_MAX_KM",
    "DISTANCE_PENALTY",
    "FORMAT_NAMES",
    "HYBRID",
    "IN_PERSON",
    "VIRTUAL",
    "Advice",
    "CohortExplanation",
    "CohortPlan",
    "CohortSpec",
    "FeatureAffinity",
    "Hours",
    "IndustryMode",
    "InfeasibleError",
    "Member",
    "MemberExplanation",
    "MoveCheck",
    "OpenCohort",
    "PlacementIndex",
    "Problem",
    "Seat",
    "Segment",
    "Solution",
    "Suggestion",
    "Weights",
    "advise",
    "build_features",
    "check_move",
    "cohort_scores",
    "explain",
    "form_cohorts",
    "haversine_km",
    "make_problem",
    "member_start_slots",
    "min_tz_spread",
    "place_pool",
    "propose_cohorts",
    "solve",
    "utc_intervals",
    "violations",
    "warmup",
]
