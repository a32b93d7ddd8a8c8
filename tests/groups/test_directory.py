"""The cohort directory: cohort-mates' cards with what each shares, their profile pages and
photos, for the cohort and its facilitators only."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from groups.models import Membership
from members import services
from members.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def person(first: str, last: str, **profile):
    user = factories.user_create(role=Role.MEMBER, first=first, last=last)
    fields = {"title": "CEO", "company": f"{last} Ltd", "city": "Leeds", **profile}
    services.profile_update(profile=services.profile_get_or_create(user=user), **fields)
    return user


def cards(html: str) -> list[str]:
    return [part.split("</h2>")[0] for part in html.split('<h2 class="person-name">')[1:]]


def test_directory_shows_cards_with_only_what_each_shares(client):
    ada = person(
        "Ada", "King", phone="+44 1", share_phone=True, linkedin_url="https://linkedin.com/in/a"
    )
    bo = person("Bo", "Lind", preferred_name="Bobo", share_email=True, share_linkedin=True)
    cohort = factories.cohort_create(name="Harbor", members=[ada, bo])
    client.force_login(ada)
    html = client.get(f"/cohorts/{cohort.slug}/people/").content.decode()
    assert [c.split('">')[-1].split("<")[0] for c in cards(html)] == ["Ada King", "Bobo Lind"]
    assert 'href="tel:+441"' in html
    assert f'href="mailto:{bo.email}"' in html
    assert f"mailto:{ada.email}" not in html  # Ada did not share her email
    assert "linkedin.com/in/a" not in html  # Ada did not tick LinkedIn
    assert "CEO · King Ltd" in html


@pytest.mark.parametrize("size", [1, 8])
def test_directory_queries_do_not_grow_with_the_cohort(client, django_assert_num_queries, size):
    people = [person(f"P{i}", f"Person{i}") for i in range(size)]
    cohort = factories.cohort_create(members=people)
    client.force_login(people[0])
    with django_assert_num_queries(7):
        response = client.get(f"/cohorts/{cohort.slug}/people/")
    assert len(cards(response.content.decode())) == size


def test_person_page_of_a_cohort_mate(client):
    ada = person("Ada", "King", bio="Builds harbours.\nSails.")
    bo = person("Bo", "Lind")
    cohort = factories.cohort_create(members=[ada, bo])
    client.force_login(bo)
    html = client.get(f"/cohorts/{cohort.slug}/people/{ada.pk}/").content.decode()
    assert '<h1 class="person-name">Ada King</h1>' in html
    assert "Builds harbours.<br>Sails." in html


def test_photo_is_served_to_the_cohort_and_not_beyond(client):
    ada, bo, cy = person("Ada", "King"), person("Bo", "Lind"), person("Cy", "Other")
    cohort = factories.cohort_create(members=[ada, bo])
    factories.cohort_create(members=[cy])
    ada.profile.photo.save("x.jpg", ContentFile(b"\xff\xd8 jpeg bytes"), save=True)
    client.force_login(bo)
    response = client.get(f"/people/{ada.pk}/photo/")
    assert (response.status_code, response.content) == (200, b"\xff\xd8 jpeg bytes")
    assert (response["Content-Type"], response["Cache-Control"]) == (
        "image/jpeg",
        "private, max-age=86400",
    )
    client.force_login(cy)
    assert client.get(f"/people/{ada.pk}/photo/").status_code == 404
    # Leaving the cohort ends the view of its people.
    Membership.objects.filter(cohort=cohort, member=bo).update(
        status=Membership.Status.LEFT, left_at=timezone.now()
    )
    client.force_login(bo)
    assert client.get(f"/people/{ada.pk}/photo/").status_code == 404
    assert client.get(f"/cohorts/{cohort.slug}/people/").status_code == 404


def test_no_photo_is_a_404(client):
    ada = person("Ada", "King")
    client.force_login(ada)
    assert client.get(f"/people/{ada.pk}/photo/").status_code == 404
