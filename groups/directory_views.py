"""The cohort directory: cohort-mates' cards and profile pages, and members' photos. Only the
cohort's members, its facilitators and admins see them (groups.selectors scopes every read);
anyone else gets a 404."""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import http_date
from django.views.decorators.http import require_GET

from groups import selectors


@require_GET
def cohort_directory(request, slug: str):
    cohort = selectors.cohort_for(request.user, slug)
    return render(
        request,
        "groups/cohort_directory.html",
        {"cohort": cohort, "people": [seat.member for seat in cohort.roster]},
    )


@require_GET
def cohort_person(request, slug: str, user_id: int):
    cohort = selectors.cohort_for(request.user, slug)
    person = selectors.cohort_person(cohort, user_id)
    return render(request, "groups/cohort_person.html", {"cohort": cohort, "person": person})


@require_GET
def person_photo(request, user_id: int):
    """The photo through this scoped view only: the storage has no public URL for it."""
    person = selectors.person_for(request.user, user_id)
    photo = getattr(person.profile, "photo", None) if hasattr(person, "profile") else None
    if not photo:
        raise Http404
    try:
        with photo.storage.open(photo.name, "rb") as stream:
            # Photos are small (photos.SIDE pixels a side, some tens of KB): read whole.
            data = stream.read()
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(data, content_type="image/jpeg")
    # The link changes with the photo (?v=…), so the browser may keep it, privately.
    response["Cache-Control"] = "private, max-age=86400"
    response["Last-Modified"] = http_date(person.profile.updated_at.timestamp())
    return response
