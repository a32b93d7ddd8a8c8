"""Access-matrix rows of annual renewal. Member A's renewal is created first: only admins
reach it; the member's own page is theirs (members who never had a cohort too)."""

from datetime import date

from django.urls import reverse

from members.models import CompanyConflictFlag, Profile, Renewal
from tests.access import Row, nobody_but, signed_in, url
from tests.conftest import World


def _renewal(world: World) -> Renewal:
    if not hasattr(world, "renewal_a"):
        Profile.objects.get_or_create(user=world.member_a)
        world.renewal_a = Renewal.objects.create(user=world.member_a, due_on=date(2027, 1, 10))
    return world.renewal_a


def _flag(world: World) -> CompanyConflictFlag:
    if not hasattr(world, "flag_a"):
        world.flag_a = CompanyConflictFlag.objects.create(
            user=world.member_a, company="Initech", company_key="initech", conflicts=[]
        )
    return world.flag_a


def renewal_path(name: str):
    return lambda world: reverse(name, args=[_renewal(world).pk])


def flag_path(world: World) -> str:
    return reverse("company_flag_handled", args=[_flag(world).pk])


def own_page(world: World) -> str:
    _renewal(world)
    return reverse("renewal")


MEMBERS = {"member_a": "200", "member_b": "200"}

ROWS = {
    # Members see their own renewal (with or without one); nobody else has one.
    "renewal": [Row(own_page, {**signed_in("404"), **MEMBERS})],
    "renewal_queue": [Row(url("renewal_queue"), nobody_but("admin", "200"))],
    "renewal_detail": [Row(renewal_path("renewal_detail"), nobody_but("admin", "200"))],
    # Empty posts: admins get the form back with its errors; nobody else learns it exists.
    "renewal_decide": [
        Row(renewal_path("renewal_decide"), nobody_but("admin", "200"), method="post")
    ],
    "renewal_date": [Row(renewal_path("renewal_date"), nobody_but("admin", "200"), method="post")],
    "company_flags": [Row(url("company_flags"), nobody_but("admin", "200"))],
    "company_flag_handled": [
        Row(flag_path, nobody_but("admin", "302 /renewals/conflicts/"), method="post")
    ],
}
