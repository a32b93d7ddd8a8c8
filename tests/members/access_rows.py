"""Access-matrix rows of the application's review page. It shows the signed-in applicant's own
application (there is no id in the URL), so another applicant's submitted application is created
first and must not be reachable: staff and members who never applied get 404."""

from django.urls import reverse

from tests import factories
from tests.access import Row, nobody_but
from tests.conftest import World


def review_path(world: World) -> str:
    # The same object as tests/test_access_matrix.py's submitted_application (world.submitted).
    if not hasattr(world, "submitted"):
        world.submitted = factories.application_complete(
            email="other.applicant@example.com", submit=True
        )
    return reverse("application_review")


ROWS = {"application_review": [Row(review_path, nobody_but("applicant", "200"))]}
