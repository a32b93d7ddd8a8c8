"""Access-matrix rows of the cohort formation wizard: admins only; everyone else 404."""

from django.urls import reverse

from groups.models import FormationRun
from tests.access import Row, nobody_but, url
from tests.conftest import World


def formation_run(world: World):
    if not hasattr(world, "formation_run"):
        world.formation_run = FormationRun.objects.create(
            created_by=world.admin,
            status=FormationRun.Status.FAILED,
            error="Too few members",
            params={"seconds": 1, "min_size": 6, "max_size": 12},
        )
    return world.formation_run


def run_url(name: str):
    return lambda world: reverse(name, args=[formation_run(world).pk])


TO_RUN = "302 /formation/"

ROWS = {
    "formation_start": [Row(url("formation_start"), nobody_but("admin", "200"))],
    "formation_detail": [Row(run_url("formation_detail"), nobody_but("admin", "200"))],
    "formation_move": [
        Row(
            run_url("formation_move"),
            nobody_but("admin", TO_RUN),
            method="post",
            data={"member": "0", "to_cohort": "1"},
        )
    ],
    "formation_apply": [
        Row(run_url("formation_apply"), nobody_but("admin", TO_RUN), method="post")
    ],
}

ROWS["cohorts_health"] = [
    Row(
        lambda world: reverse("cohorts_health") + f"?cohort={world.cohort_a.slug}",
        {**nobody_but("member_a", "200"), "facilitator_a": "200", "admin": "200"},
    )
]
