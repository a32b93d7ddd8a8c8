"""Access-matrix rows of city search, placement and the proposal board."""

from tests.access import Row, signed_in, url

ROWS = {
    "city_search": [
        Row(
            lambda world: url("city_search")(world) + "?field=city&id=id_city&city_search=Lon",
            signed_in("200"),
        )
    ],
}
