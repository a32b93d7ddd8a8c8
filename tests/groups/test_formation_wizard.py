import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from groups import formation_services
from groups.models import Cohort, FormationRun, Membership, RosterEvent
from members import services as member_services
from members.models import Role
from tests import factories

PARAMS = {
    "min_size": 3,
    "max_size": 4,
    "n_groups": None,
    "industry_mode": "unrestricted",
    "max_tz_spread": None,
    "weights": {
        "challenge": 1.0,
        "company_size": 0.5,
        "stage": 0.5,
        "industry_overlap_penalty": 1.0,
    },
    "seconds": 2,
    "name_prefix": "Spring cohort",
    "home_time_zone": "Europe/London",
}


@pytest.fixture
def admin(db):
    return factories.user_create(role=Role.ADMIN, totp=True)


@pytest.fixture
def pool(db):
    people = [
        factories.pool_member_create(
            first=f"P{i}", last=f"Person{i}", industry="54", challenge_count=3
        )
        for i in range(8)
    ]
    # P0 and P1 declare each other: they must never share a proposed cohort.
    member_services.conflicts_replace(
        profile=people[0].profile,
        declarations=[{"relationship": "competitor", "person_email": people[1].email}],
    )
    return people


def run_now(admin, pool, django_capture_on_commit_callbacks, **overrides):
    with django_capture_on_commit_callbacks(execute=True):
        run = formation_services.run_start(
            actor=admin, member_ids=[p.pk for p in pool], params={**PARAMS, **overrides}
        )
    run.refresh_from_db()
    return run


def test_run_proposes_conflict_free_partition(admin, pool, django_capture_on_commit_callbacks):
    run = run_now(admin, pool, django_capture_on_commit_callbacks)
    assert run.status == FormationRun.Status.DONE
    assert sorted(run.assignment.count(c) for c in set(run.assignment)) == [4, 4]
    index = {p.pk: i for i, p in enumerate(pool)}
    assert run.assignment[index[pool[0].pk]] != run.assignment[index[pool[1].pk]]
    proposal = formation_services.proposal(run)
    assert [len(c["members"]) for c in proposal["cohorts"]] == [4, 4]
    assert proposal["objective"] == pytest.approx(
        sum(c["score"] for c in proposal["cohorts"]), abs=0.02
    )
    first = proposal["cohorts"][0]["members"][0]
    assert {"user", "gain", "shared"} <= set(first)


def test_move_refuses_conflict_and_updates_scores(admin, pool, django_capture_on_commit_callbacks):
    run = run_now(
        admin, pool, django_capture_on_commit_callbacks, min_size=3, max_size=5, n_groups=2
    )
    sizes = [run.assignment.count(c) for c in (0, 1)]
    big = sizes.index(max(sizes))
    assert sorted(sizes) == [3, 5]
    p0, p1 = run.member_ids.index(pool[0].pk), run.member_ids.index(pool[1].pk)
    # Whichever of the pair sits in the big cohort may leave it, but not to join the other.
    mover, stayer = (p0, p1) if run.assignment[p0] == big else (p1, p0)
    refusal = formation_services.run_move(
        run=run, actor=admin, member_index=mover, to_cohort=run.assignment[stayer]
    )
    names = sorted([pool[0].display_name, pool[1].display_name])
    assert refusal in {
        f"{a} and {b} cannot be in the same cohort." for a, b in [names, names[::-1]]
    }
    other = next(i for i, c in enumerate(run.assignment) if c == big and i not in (p0, p1))
    assert (
        formation_services.run_move(run=run, actor=admin, member_index=other, to_cohort=1 - big)
        is None
    )
    run.refresh_from_db()
    assert run.assignment[other] == 1 - big
    assert run.best_score == pytest.approx(formation_services.proposal(run)["objective"], abs=0.02)


def test_apply_creates_cohorts_and_memberships_once(
    admin, pool, django_capture_on_commit_callbacks
):
    run = run_now(admin, pool, django_capture_on_commit_callbacks)
    cohorts = formation_services.run_apply(run=run, actor=admin)
    assert [c.name for c in cohorts] == [
        f"Spring cohort 1 ({cohorts[0].created_at:%b %Y})",
        f"Spring cohort 2 ({cohorts[0].created_at:%b %Y})",
    ]
    assert all(c.status == Cohort.Status.FORMING and not c.facilitators.exists() for c in cohorts)
    assert Membership.objects.active().filter(cohort__in=cohorts).count() == 8
    assert (
        RosterEvent.objects.filter(
            action="added", reason=f"Placed by formation run {run.pk}"
        ).count()
        == 8
    )
    with pytest.raises(ValidationError):
        formation_services.run_apply(run=run, actor=admin)


def test_apply_refuses_when_pool_changed(admin, pool, django_capture_on_commit_callbacks):
    run = run_now(admin, pool, django_capture_on_commit_callbacks)
    Membership.objects.create(cohort=factories.cohort_create(), member=pool[3])
    with pytest.raises(ValidationError) as error:
        formation_services.run_apply(run=run, actor=admin)
    assert error.value.messages == [
        "1 of these members joined a cohort meanwhile; run the engine again."
    ]


def test_infeasible_run_is_refused_with_the_change_to_make(admin, pool):
    with pytest.raises(ValidationError) as error:
        formation_services.run_start(
            actor=admin,
            member_ids=[p.pk for p in pool],
            params={**PARAMS, "min_size": 5, "max_size": 5},
        )
    assert error.value.message_dict == {
        "min_size": [
            "No number of cohorts fits 8 members with sizes between 5 and 5. "
            "Set the smallest cohort to 4."
        ]
    }
    assert not FormationRun.objects.exists()


def test_infeasible_conflicts_name_the_members(admin, pool):
    with pytest.raises(ValidationError) as error:
        formation_services.run_start(
            actor=admin,
            member_ids=[p.pk for p in pool[:2]],
            params={**PARAMS, "min_size": 2, "max_size": 2},
        )
    assert error.value.message_dict == {
        "__all__": [
            f"{pool[0].display_name} and {pool[1].display_name} all conflict with one another, "
            "so they need 2 cohorts but there are only 1. "
            "No single change fixes this: widen the sizes or narrow the pool."
        ]
    }


def test_wizard_form_rejects_bad_input(client, admin):
    client.force_login(admin)
    response = client.post(
        reverse("formation_start"),
        {
            "min_size": "9",
            "max_size": "3",
            "industry_mode": "sideways",
            "weight_challenge": "-1",
            "weight_company_size": "0.5",
            "weight_stage": "0.5",
            "weight_industry": "1",
            "seconds": "0",
            "name_prefix": "X",
            "home_time_zone": "UTC",
        },
    )
    errors = response.context["form"].errors
    assert errors["max_size"] == ["The largest cohort must be at least the smallest."]
    assert errors["industry_mode"] == [
        "Select a valid choice. sideways is not one of the available choices."
    ]
    assert errors["weight_challenge"] == ["Ensure this value is greater than or equal to 0."]
    assert errors["seconds"] == ["Ensure this value is greater than or equal to 1."]


def test_polling_refreshes_page_when_done(client, admin, pool, django_capture_on_commit_callbacks):
    run = run_now(admin, pool, django_capture_on_commit_callbacks)
    client.force_login(admin)
    response = client.get(
        reverse("formation_detail", args=[run.pk]), {"poll": "1"}, headers={"HX-Request": "true"}
    )
    assert (response.status_code, response["HX-Refresh"]) == (204, "true")
    FormationRun.objects.filter(pk=run.pk).update(
        status="running", phase="searching", elapsed=1.5, searched=1.0
    )
    fragment = client.get(
        reverse("formation_detail", args=[run.pk]), {"poll": "1"}, headers={"HX-Request": "true"}
    ).content.decode()
    assert fragment.strip().startswith('<section id="formation-progress"')
    assert 'value="50"' in fragment
