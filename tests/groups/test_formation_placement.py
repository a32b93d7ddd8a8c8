"""Placement of approved members in existing cohorts: ranking, hard checks and reasons."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from groups.formation import (
    HYBRID,
    IN_PERSON,
    VIRTUAL,
    CohortSpec,
    Hours,
    Member,
    build_features,
)
from groups.formation.placement import OpenCohort, PlacementIndex, place_pool

SYDNEY = (-33.87, 151.21)
PARRAMATTA = (-33.815, 151.003)
MELBOURNE = (-37.81, 144.96)
LONDON = (51.51, -0.13)
WEEK = date(2027, 3, 24)


def sydney(**kw) -> Member:
    return Member(location=SYDNEY, place="Sydney", zone="Australia/Sydney", **kw)


def cohorts() -> list[OpenCohort]:
    return [
        OpenCohort(
            name="Harbour",
            members=(
                sydney(challenges=("growth", "hiring"), company_size=2, stage=2, industry="retail"),
                Member(
                    challenges=("growth",),
                    company_size=2,
                    stage=3,
                    industry="finance",
                    location=PARRAMATTA,
                    place="Parramatta",
                    zone="Australia/Sydney",
                ),
            ),
            max_size=12,
            spec=CohortSpec(format=IN_PERSON, home=SYDNEY, place="Sydney"),
            keys=(1, 2),
            names=("Ann", "Ben"),
        ),
        OpenCohort(
            name="Bridge",
            members=(sydney(challenges=("growth",)), sydney(challenges=("growth",))),
            max_size=2,
            spec=CohortSpec(format=VIRTUAL),
            keys=(3, 4),
            names=("Cat", "Dan"),
        ),
        OpenCohort(
            name="Thames",
            members=(
                Member(location=LONDON, place="London", zone="Europe/London"),
                Member(location=LONDON, place="London", zone="Europe/London"),
            ),
            max_size=12,
            spec=CohortSpec(format=IN_PERSON),
            keys=(5, 6),
            names=("Eve", "Fay"),
        ),
        OpenCohort(
            name="Mixed",
            members=(
                Member(
                    challenges=("pricing",),
                    location=MELBOURNE,
                    place="Melbourne",
                    zone="Australia/Melbourne",
                ),
                sydney(challenges=("hiring",), company_size=2, stage=2),
            ),
            max_size=12,
            industry_mode="unrestricted",
            spec=CohortSpec(format=HYBRID, home=SYDNEY, place="Sydney"),
            keys=(7, 8),
            names=("Gus", "Hal"),
        ),
        OpenCohort(
            name="Retail",
            members=(sydney(industry="retail"),),
            max_size=12,
            industry_mode="single",
            spec=CohortSpec(format=VIRTUAL),
            keys=(9,),
            names=("Ivy",),
        ),
    ]


CANDIDATE = sydney(challenges=("growth", "pricing"), company_size=2, stage=2, industry="energy")


def test_rank_orders_fits_by_score_then_refusals_with_reasons() -> None:
    index = PlacementIndex(cohorts(), meeting_minutes=240, week_of=WEEK)
    out = index.rank(CANDIDATE, conflicts=[4], limit=None)
    assert [(s.cohort, s.fits, round(s.score, 4)) for s in out] == [
        (0, True, 3.75),
        (3, True, 1.6667),
        (1, False, 2.0),
        (2, False, 0.0),
        (4, False, 0.0),
    ]
    assert [s.reasons for s in out] == [
        (
            "Shares 1 challenge with its members: growth",
            "Peers: 2 of 2 members run a company of the same size, 1 at the same stage",
            "0 km from its home (Sydney), within 80 km",
            "A 4-hour meeting fits everyone's hours (e.g. Mon 20:00 UTC)",
            "10 of 12 seats open",
        ),
        (
            "Shares 1 challenge with its members: pricing",
            "Peers: 1 of 2 members run a company of the same size, 1 at the same stage",
            "0 km from its home (Sydney), within 80 km",
            "A 4-hour meeting fits everyone's hours (e.g. Mon 20:00 UTC)",
            "10 of 12 seats open",
        ),
        ("Full (2 of 2 seats taken)", "Declared a conflict of interest with Dan"),
        (
            "Meets in person within 80 km of each other; 16,994 km from Eve (London)",
            "No 4-hour meeting window fits both this member and Eve (London)",
        ),
        ("Single-industry cohort; this member is in energy",),
    ]
    assert out[0].shared_challenges == ("growth",)


def test_rank_score_is_the_solver_affinity() -> None:
    """The score of a cohort is the sum of the formation solver's pair affinities between the
    member and its members (no industry term: industries are a hard rule here)."""
    index = PlacementIndex(cohorts())
    people = [*cohorts()[0].members, CANDIDATE]
    features = build_features(people, industry_mode="unrestricted")
    expected = sum(features.pair(2, j) for j in range(2))
    best = index.rank(CANDIDATE, limit=1)[0]
    assert (best.cohort, best.score) == (0, pytest.approx(expected))


def test_rank_hybrid_penalty_and_unknown_location() -> None:
    index = PlacementIndex(cohorts())
    far = Member(challenges=("pricing",), location=LONDON, place="London", industry="energy")
    mixed = next(s for s in index.rank(far, limit=None) if s.cohort == 3)
    # pricing (1.0) and the same size and stage buckets as Gus (0.5 + 0.5), less the penalty.
    assert (mixed.fits, mixed.score) == (True, 2.0 - 1.0)
    assert mixed.reasons[2] == "16,994 km from its home (Sydney), beyond 80 km: would join remotely"
    nowhere = Member(industry="energy")
    harbour = next(s for s in index.rank(nowhere, limit=None) if s.cohort == 0)
    assert harbour.reasons == ("Meets in person, and this member's location is unknown",)


def test_rank_refuses_formats_the_member_does_not_accept_and_only_fits_when_asked() -> None:
    index = PlacementIndex(cohorts())
    in_person_only = sydney(formats=IN_PERSON, industry="energy")
    out = index.rank(in_person_only, limit=None, include_refused=False)
    assert [s.cohort for s in out] == [0]
    bridge = next(s for s in index.rank(in_person_only, limit=None) if s.cohort == 4)
    assert bridge.reasons == (
        "Single-industry cohort; this member is in energy",
        "Meets virtually, which this member does not accept",
    )


def test_place_pool_seats_the_most_constrained_first_and_updates_cohorts() -> None:
    index = PlacementIndex(cohorts(), meeting_minutes=240, week_of=WEEK)
    pool = [
        sydney(challenges=("pricing",), industry="energy"),  # Harbour or Mixed
        sydney(challenges=("growth",), industry="energy", formats=IN_PERSON),  # Harbour only
        Member(
            location=LONDON,
            place="London",
            zone="Europe/London",
            industry="law",
            hours=Hours(start=0, end=24),
        ),
    ]
    seats = place_pool(
        index, pool, keys=[10, 11, 12], names=["Jo", "Kim", "Lee"], conflicts={0: [11], 1: [10]}
    )
    assert [(s.member, s.cohort) for s in seats] == [(0, 3), (1, 0), (2, 2)]
    assert index.size.tolist() == [3, 2, 3, 3, 1]
    # Kim went first (one fitting cohort); Jo, in conflict with Kim, was kept out of Harbour.
    assert seats[0].suggestion is not None and seats[0].suggestion.reasons[0] == (
        "Shares 1 challenge with its members: pricing"
    )


def test_rank_one_member_among_4000_cohorts_is_fast() -> None:
    rng = np.random.default_rng(0)
    people = lambda: tuple(  # noqa: E731
        Member(
            challenges=tuple(int(x) for x in rng.choice(40, 3, replace=False)),
            company_size=int(rng.integers(0, 5)),
            stage=int(rng.integers(0, 5)),
            industry=int(rng.integers(0, 12)),
            location=(-33.8 + rng.normal(0, 0.1), 151.2 + rng.normal(0, 0.1)),
            zone="Australia/Sydney",
        )
        for _ in range(10)
    )
    many = [
        OpenCohort(members=people(), max_size=12, spec=CohortSpec(format=1 << (k % 3)))
        for k in range(4000)
    ]
    index = PlacementIndex(many, meeting_minutes=120, week_of=WEEK)
    import time  # noqa: PLC0415

    start = time.perf_counter()
    out = index.rank(people()[0], limit=10)
    assert time.perf_counter() - start < 0.3
    assert len(out) == 10
