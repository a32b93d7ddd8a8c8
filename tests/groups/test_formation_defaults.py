"""The wizard's defaults come from the pool; an impossible run says which parameter to change and
to what, and the form keeps what the admin entered."""

from __future__ import annotations

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from groups import formation, formation_services
from groups.formation import InfeasibleError, advise, make_problem, min_tz_spread
from groups.models import FormationRun
from members.models import Role, User
from tests import factories

# A pool spread over seven metros: two members in each of New York, London, Chicago, Berlin,
# Sydney, Los Angeles and Paris, and one more in Paris. In January their UTC offsets are
# -5, 0, -6, 1, 11, -8, 1; in July -4, 1, -5, 2, 10, -7, 2.
WINTER, SUMMER = "2026-01-15 12:00Z", "2026-07-15 12:00Z"
DEMO_WINTER = [-5, 0, -6, 1, 11, -8, 1] * 2 + [1]


def _build(offsets):
    def build(params):
        return make_problem(
            affinity=[[0.0] * len(offsets)] * len(offsets),
            sizes=(params["min_size"], params["max_size"]),
            n_groups=params["n_groups"],
            tz_offsets=offsets if params["max_tz_spread"] is not None else None,
            max_tz_spread=params["max_tz_spread"],
        )

    return build


def test_min_tz_spread_of_demo_pool_in_two_cohorts_of_six_to_twelve() -> None:
    # [-8 -8 -6 -6 -5 -5 0 0] and [1 1 1 1 1 11 11]: 8 and 10 hours; no split does better.
    assert min_tz_spread(DEMO_WINTER, n_groups=2, lower=6, upper=12) == 10.0
    assert min_tz_spread(DEMO_WINTER, n_groups=3, lower=2, upper=12) == 3.0
    assert min_tz_spread(DEMO_WINTER, n_groups=3, lower=6, upper=12) is None  # 18 > 15 members


def test_advise_names_spread_for_demo_pool() -> None:
    params = {"min_size": 6, "max_size": 12, "n_groups": None, "max_tz_spread": 3.0}
    advice = advise(params, _build(DEMO_WINTER))
    assert (advice.parameter, advice.value) == ("max_tz_spread", 10.0)
    assert advice.reason == (
        "time zones from -8 to 11 hours need at least 3 cohorts with a spread of at most 3 "
        "hours, but there are only 2"
    )
    assert advise({**params, "max_tz_spread": 10.0}, _build(DEMO_WINTER)) is None


def test_advise_names_sizes_when_no_cohort_count_fits() -> None:
    params = {"min_size": 8, "max_size": 9, "n_groups": None, "max_tz_spread": None}
    advice = advise(params, _build(DEMO_WINTER))
    # 15 members fit neither one cohort of at most 9 nor two of at least 8.
    assert (advice.parameter, advice.value) == ("min_size", 7)
    advice = advise({**params, "min_size": 5, "n_groups": 4}, _build(DEMO_WINTER))
    assert advice.reason == "15 members cannot fill 4 cohorts: sizes must total between 20 and 36"
    assert (advice.parameter, advice.value) == ("n_groups", 3)


def test_advise_raises_nothing_for_a_feasible_run() -> None:
    params = {"min_size": 3, "max_size": 4, "n_groups": None, "max_tz_spread": None}
    assert advise(params, _build([0.0] * 8)) is None
    with pytest.raises(InfeasibleError):
        _build([0.0] * 8)({**params, "min_size": 5, "max_size": 5})


@pytest.fixture
def demo(db):
    with time_machine.travel(WINTER, tick=False):
        call_command("seed_demo", "--password", "demo-pass-123", "--quiet-logins")


@pytest.fixture
def admin_client(client, demo):
    client.force_login(User.objects.get(email="admin@example.com"))
    return client


def _initial(response) -> dict:
    form = response.context["form"]
    return {
        name: form[name].value()
        for name in ("min_size", "max_size", "n_groups", "industry_mode", "max_tz_spread")
    }


# The demo pool lives in two metros, seven members around New York and seven around London,
# and the approved applicant in Paris: two cohorts split by metro keep the spread at 1 hour,
# within the default of 3, winter and summer.
@pytest.mark.parametrize(("when", "spread"), [(WINTER, 3), (SUMMER, 3)])
def test_wizard_defaults_come_from_demo_pool(admin_client, when, spread):
    with time_machine.travel(when, tick=False):
        response = admin_client.get(reverse("formation_start"))
    assert _initial(response) == {
        "min_size": 6,
        "max_size": 12,
        "n_groups": None,
        "industry_mode": "no_overlap",
        "max_tz_spread": spread,
    }


def _post_data(response, **changes) -> dict:
    form = response.context["form"]
    data = {name: form[name].value() for name in form.fields}
    data = {k: "" if v is None else v for k, v in data.items()}
    return {**data, "seconds": 2, "name_prefix": "Spring forum", **changes}


def test_wizard_defaults_succeed_on_demo_pool(admin_client, django_capture_on_commit_callbacks):
    with time_machine.travel(WINTER, tick=True):
        page = admin_client.get(reverse("formation_start"))
        with django_capture_on_commit_callbacks(execute=True):
            response = admin_client.post(reverse("formation_start"), _post_data(page))
    run = FormationRun.objects.get()
    assert response["Location"] == reverse("formation_detail", args=[run.pk])
    assert (run.status, run.error) == ("done", "")
    assert len(run.member_ids) == 15
    sizes = [run.assignment.count(c) for c in set(run.assignment)]
    assert len(sizes) == 2 and all(6 <= size <= 12 for size in sizes)
    # One in-person cohort around New York (every two members within 80 km); London's is
    # hybrid, so the approved applicant in Paris has a cohort too.
    problem, people = formation_services._problem(run)
    _, cohorts, _ = formation.explain(problem, run.assignment)
    described = sorted(
        (formation.FORMAT_NAMES[c.format], sorted({people[i].time_zone for i in c.members}))
        for c in cohorts
    )
    assert described == [
        ("hybrid", ["Europe/London", "Europe/Paris"]),
        ("in-person", ["America/New_York"]),
    ]
    for c in cohorts:
        if c.format == formation.IN_PERSON:
            points = [people[i].profile.point for i in c.members]
            assert max(formation.haversine_km(a, b) for a in points for b in points) <= 80


def test_wizard_infeasible_spread_names_parameter_and_keeps_values(admin_client):
    with time_machine.travel(WINTER, tick=True):
        page = admin_client.get(reverse("formation_start"))
        response = admin_client.post(
            reverse("formation_start"), _post_data(page, max_tz_spread="0.5", weight_stage="0.75")
        )
    assert FormationRun.objects.count() == 0
    form = response.context["form"]
    assert form.errors == {
        "max_tz_spread": [
            "Time zones from -5 to 1 hours need at least 3 cohorts with a spread of at most 0.5 "
            "hours, but there are only 2. Set the largest time-zone spread to 1 hours "
            "(or leave it empty for no limit)."
        ]
    }
    assert (form["max_tz_spread"].value(), form["weight_stage"].value()) == ("0.5", "0.75")
    assert form["name_prefix"].value() == "Spring forum"
    html = response.content.decode()
    assert 'name="name_prefix" value="Spring forum"' in html


def test_failed_run_offers_to_try_again_with_its_values(client, db):
    admin = factories.user_create(role=Role.ADMIN, totp=True)
    client.force_login(admin)
    params = {
        "min_size": 4,
        "max_size": 5,
        "n_groups": 3,
        "industry_mode": "single",
        "max_tz_spread": 2.5,
        "weights": {
            "challenge": 2.0,
            "company_size": 0.25,
            "stage": 0.0,
            "industry_overlap_penalty": 1.5,
        },
        "seconds": 7,
        "name_prefix": "Autumn forum",
        "home_time_zone": "Europe/Paris",
        "pool": {"region": "Europe", "meeting_format": "virtual"},
    }
    run = FormationRun.objects.create(
        created_by=admin, params=params, status="failed", error="no feasible assignment"
    )
    detail = client.get(reverse("formation_detail", args=[run.pk])).content.decode()
    again = f"{reverse('formation_start')}?from={run.pk}"
    assert f'<a href="{again}">Change the parameters and try again</a>' in detail
    form = client.get(again).context["form"]
    assert {name: form[name].value() for name in form.fields} == {
        "region": "Europe",
        "industry": None,
        "meeting_format": "virtual",
        "min_size": 4,
        "max_size": 5,
        "n_groups": 3,
        "industry_mode": "single",
        "max_tz_spread": 2.5,
        # A run from before distances and meeting lengths: the fields' own defaults.
        "max_km": 80,
        "meeting_minutes": 180,
        "weight_challenge": 2.0,
        "weight_company_size": 0.25,
        "weight_stage": 0.0,
        "weight_industry": 1.5,
        "seconds": 7,
        "name_prefix": "Autumn forum",
        "home_time_zone": "Europe/Paris",
    }
