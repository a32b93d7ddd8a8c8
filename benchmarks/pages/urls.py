from django.http import HttpResponse
from django.urls import path

from peernet.urls import urlpatterns as production_urlpatterns


def hello(request):
    """The baseline every page is compared with: the full middleware stack, no work."""
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("__bench__/hello/", hello, name="bench_hello"), *production_urlpatterns]
