"""Cohort parameters proposed from the pool (groups.formation.defaults)."""

from __future__ import annotations

from datetime import date

from groups.formation import (
    HYBRID,
    IN_PERSON,
    VIRTUAL,
    Advice,
    CohortSpec,
    Member,
    advise,
    build_features,
    form_cohorts,
    make_problem,
)
from groups.formation.defaults import cohort_count, propose_cohorts

PERTH = (-31.95, 115.86)
SYDNEY = (-33.87, 151.21)
PARRAMATTA = (-33.815, 151.003)
LONDON = (51.51, -0.13)
WEEK = date(2027, 3, 24)


def pool() -> list[Member]:
    members = [Member(location=PERTH, place="Perth", formats=IN_PERSON, zone="Australia/Perth")]
    members *= 3
    sydney = Member(location=SYDNEY, place="Sydney", formats=IN_PERSON | HYBRID,
                    zone="Australia/Sydney")  # fmt: skip
    west = Member(location=PARRAMATTA, place="Parramatta", formats=IN_PERSON | VIRTUAL,
                  zone="Australia/Sydney")  # fmt: skip
    members += [sydney] * 10 + [west] * 4
    members += [Member(location=LONDON, place="London", formats=VIRTUAL, zone="Europe/London")] * 9
    members += [Member(formats=VIRTUAL | HYBRID, zone="America/New_York")] * 7
    members += [Member(formats=VIRTUAL, zone="Asia/Tokyo")] * 2
    return members


def test_cohort_count_follows_the_middle_of_the_range() -> None:
    counts = [cohort_count(n, 6, 12) for n in (0, 5, 6, 12, 13, 16, 30, 100)]
    assert counts == [0, 0, 1, 1, 2, 2, 3, 11]


def test_propose_cohorts_by_metro_format_and_meeting_window() -> None:
    plan = propose_cohorts(pool(), min_size=6, max_size=12, meeting_minutes=240, week_of=WEEK)
    assert [(s.label, s.format, len(s.members), s.cohorts) for s in plan.segments] == [
        ("Sydney", IN_PERSON, 14, 2),
        ("remote, region 1 (virtual)", VIRTUAL, 16, 2),
    ]
    # Metro centres are points of a 0.1-degree grid.
    assert plan.cohorts == (
        CohortSpec(format=IN_PERSON, home=(-33.9, 151.2), place="Sydney"),
        CohortSpec(format=IN_PERSON, home=(-33.9, 151.2), place="Sydney"),
        CohortSpec(format=VIRTUAL),
        CohortSpec(format=VIRTUAL),
    )
    assert plan.sizes == ((6, 12),) * 4
    assert plan.problems == (
        "3 in-person members in Perth have no cohort within 80 km (at least 6 are needed to "
        "meet in person): make one hybrid or raise the distance",
        "2 members who meet virtually share a 4-hour meeting window with too few others to "
        "fill a cohort of 6: lower the smallest cohort size or widen their hours",
    )


def test_a_plan_without_problems_forms() -> None:
    members = [m for m in pool() if m.place not in ("Perth",) and m.zone != "Asia/Tokyo"]
    plan = propose_cohorts(members, min_size=6, max_size=12, meeting_minutes=240, week_of=WEEK)
    assert plan.problems == ()
    sol = form_cohorts(
        members,
        sizes=plan.sizes,
        cohorts=plan.cohorts,
        meeting_minutes=240,
        week_of=WEEK,
        max_iterations=200,
    )
    in_person = [c for c in sol.cohorts if c.format == IN_PERSON]
    assert sorted({members[i].place for c in in_person for i in c.members}) == [
        "Parramatta",
        "Sydney",
    ]


def test_advise_with_cohort_specs_keeps_the_geography_reason() -> None:
    """A builder that passes cohort specs cannot take another cohort count: advise skips
    those changes instead of failing, and returns the reason with its fix."""
    members = [Member(location=PERTH, place="Perth", formats=IN_PERSON)] * 3
    members += [Member(location=LONDON, place="London")] * 5
    cohorts = [CohortSpec(format=IN_PERSON, home=SYDNEY, place="Sydney"), CohortSpec(VIRTUAL)]

    def build(p):
        return make_problem(
            affinity=build_features(members),
            sizes=(p["min_size"], p["max_size"]),
            n_groups=p.get("n_groups"),
            formats=[m.formats for m in members],
            members=members,
            locations=[m.location for m in members],
            cohorts=cohorts,
        )

    advice = advise({"min_size": 1, "max_size": 8, "n_groups": None}, build)
    assert advice == Advice(
        "3 in-person members in Perth have no in-person cohort within 80 km: make one of their "
        "cohorts hybrid or virtual, add an in-person cohort near them, or raise the distance",
        None,
        None,
    )
