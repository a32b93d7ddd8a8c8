"""Access-matrix rows of city search, placement and the proposal board."""

from django.urls import reverse

from tests import factories
from tests.access import Row, nobody_but, signed_in, url
from tests.conftest import World

ROWS = {
    "city_search": [
        Row(
            lambda world: url("city_search")(world) + "?field=city&id=id_city&city_search=Lon",
            signed_in("200"),
        )
    ],
}


def waiting(world: World):
    """An approved member waiting for a cohort (the thing that could leak)."""
    if not hasattr(world, "placement_waiting"):
        world.placement_waiting = factories.pool_member_create(email="placing@example.com")
    return world.placement_waiting


ROWS["pool_placements"] = [Row(url("pool_placements"), nobody_but("admin", "200"))]
ROWS["member_placement"] = [
    Row(
        lambda world: reverse("member_placement", args=[waiting(world).pk]),
        nobody_but("admin", "200"),
    )
]
ROWS["member_place"] = [
    Row(
        lambda world: reverse("member_place", args=[waiting(world).pk, world.cohort_a.slug]),
        nobody_but("admin", "302 /cohorts/"),
        method="post",
    )
]
