"""Placement suggestions and the formation proposal board at product scale.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> DJANGO_DEBUG=true \\
        .venv/bin/python -m benchmarks.placement.run

The database must be grown by benchmarks/pages/bigdata.py (35,000 members, 4,000 cohorts of
8, 3,000 waiting in the pool) on top of the demo organisation. This script first gives every
generated member a real city in one of 40 metros and every in-person or hybrid cohort its
metro's centre as home city (once; deterministic by id), then measures:

- placement: ``placement_suggestions`` for 20 waiting members among the 4,000 cohorts:
  median and slowest milliseconds, and queries per call;
- board: a proposal of 5,000 members in 500 cohorts (a FormationRun written here), its first
  page as the demo admin sees it: seconds (median of 3 requests), HTML size and queries.

It prints one JSON line per measurement.
"""

import json
import os
import statistics
import time

import django

# GeoNames ids of 40 metros' centres (core.cities).
METROS = [
    5128581, 5368361, 4887398, 4699066, 4560349, 5308655, 4726206, 5391959, 5809844, 4164138,
    4180439, 4930956, 5419384, 4990729, 5037649, 6167865, 6077243, 5913490, 3530597, 3448439,
    2643743, 2988507, 2950159, 3117735, 3169070, 2759794, 2800866, 2761369, 2673730, 2618425,
    2964574, 2657896, 1850147, 1835848, 1880252, 1819729, 2147714, 2158177, 1275339, 292223,
]  # fmt: skip


def _geography() -> None:
    from django.db import connection

    from core import cities

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM members_profile WHERE city_geoname_id IS NULL")
        if cursor.fetchone()[0] == 0:
            return
        for k, geoname_id in enumerate(METROS):
            city = cities.get(geoname_id)
            cursor.execute(
                "UPDATE members_profile SET city = %s, country = %s, city_geoname_id = %s, "
                "latitude = %s, longitude = %s "
                "WHERE city_geoname_id IS NULL AND user_id %% 40 = %s",
                [city.name, city.country, city.geoname_id, city.latitude, city.longitude, k],
            )
            cursor.execute(
                "UPDATE groups_cohort SET home_city = %s, home_country = %s, "
                "home_geoname_id = %s, home_latitude = %s, home_longitude = %s "
                "WHERE home_geoname_id IS NULL AND format <> 'virtual' AND id %% 40 = %s",
                [city.name, city.country, city.geoname_id, city.latitude, city.longitude, k],
            )


def _placement() -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from groups import placement, selectors

    waiting = list(selectors.pool().order_by("pk")[:20])
    placement.placement_suggestions(waiting[0])  # the city list and connections warm
    times, queries, found = [], [], []
    for member in waiting:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = placement.placement_suggestions(member)
            times.append((time.perf_counter() - started) * 1000)
        queries.append(len(captured))
        found.append(len(result.suggestions))
    from groups.models import Cohort

    return {
        "measure": "placement_suggestions",
        "cohorts": Cohort.objects.count(),
        "members": len(waiting),
        "median_ms": round(statistics.median(times), 1),
        "max_ms": round(max(times), 1),
        "queries": sorted(set(queries)),
        "suggestions_found": sorted(set(found)),
    }


def _board() -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from groups.models import FormationRun
    from members.models import Role, User

    admin = User.objects.get(email="admin@example.com")
    member_ids = list(
        User.objects.filter(role=Role.MEMBER, profile__isnull=False)
        .order_by("pk")
        .values_list("pk", flat=True)[:5000]
    )
    run = FormationRun.objects.create(
        created_by=admin,
        status=FormationRun.Status.DONE,
        params={
            "min_size": 6,
            "max_size": 12,
            "n_groups": 500,
            "industry_mode": "unrestricted",
            "max_tz_spread": None,
            "weights": {},
            "seconds": 1,
        },
        member_ids=member_ids,
        assignment=[i % 500 for i in range(len(member_ids))],
        best_score=0,
    )
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(admin)
    _mfa_passed(client, admin)
    url = reverse("formation_detail", args=[run.pk])
    client.get(url)  # warm
    seconds, size, queries = [], 0, 0
    for _ in range(3):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            seconds.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        size, queries = len(response.content), len(captured)
    run.delete()
    return {
        "measure": "proposal_board",
        "members": len(member_ids),
        "cohorts": 500,
        "median_s": round(statistics.median(seconds), 2),
        "html_bytes": size,
        "queries": queries,
    }


def _mfa_passed(client, user) -> None:
    from allauth.mfa.models import Authenticator
    from django.test import RequestFactory

    from members.mfa import session_record_mfa

    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is not None:
        request = RequestFactory().get("/")
        request.session = client.session
        session_record_mfa(request, user=user, authenticator=authenticator)
        request.session.save()


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peernet.settings")
    django.setup()
    _geography()
    print(json.dumps(_placement()), flush=True)
    print(json.dumps(_board()), flush=True)


if __name__ == "__main__":
    main()
