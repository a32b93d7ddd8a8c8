"""Access-matrix rows of the cohort formation wizard and of the company changes to decide:
admins only; everyone else 404."""

from django.urls import reverse

from groups.models import FormationRun
from members.models import CompanyChangeRequest
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


def company_change_path(world: World) -> str:
    """Member A's waiting company change: the thing that must not leak."""
    if not hasattr(world, "company_change_a"):
        world.company_change_a = CompanyChangeRequest.objects.create(
            user=world.member_a, company="Initech"
        )
    return reverse("company_change_decide", args=[world.company_change_a.pk])


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

ROWS["company_changes"] = [Row(url("company_changes"), nobody_but("admin", "200"))]
# An empty post: the admin is told to choose; nobody else learns the request exists.
ROWS["company_change_decide"] = [
    Row(
        company_change_path,
        nobody_but("admin", "302 /renewals/company-changes/"),
        method="post",
    )
]

ROWS["cohorts_health"] = [
    Row(
        lambda world: reverse("cohorts_health") + f"?cohort={world.cohort_a.slug}",
        {**nobody_but("member_a", "200"), "facilitator_a": "200", "admin": "200"},
    )
]
