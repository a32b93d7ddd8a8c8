"""PeerNet's URLs and one view that fails, for the 500 page tests (test_errors.py)."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from peernet import urls


@login_not_required
def boom(request):
    raise RuntimeError("the database caught fire")


urlpatterns = [path("boom/", boom), *urls.urlpatterns]
handler500 = urls.handler500
