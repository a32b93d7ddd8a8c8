import gzip
import re

import pytest
from django.conf import settings
from django.template import engines
from django.template.loaders.cached import Loader


def test_gzip_runs_before_every_middleware_that_touches_the_body():
    """GZipMiddleware compresses what the inner middleware return; it sits after whitenoise
    (which serves its own precompressed static files) and before everything else."""
    order = settings.MIDDLEWARE
    gzip_at = order.index("django.middleware.gzip.GZipMiddleware")
    assert order[gzip_at - 1] == "whitenoise.middleware.WhiteNoiseMiddleware"
    assert order[gzip_at + 1] == "django.middleware.csp.ContentSecurityPolicyMiddleware"


@pytest.mark.django_db
def test_page_is_gzip_encoded_for_a_client_that_accepts_it(client, world):
    client.force_login(world.member_a)
    plain = client.get("/")
    compressed = client.get("/", headers={"accept-encoding": "gzip, deflate, br"})
    assert plain.get("Content-Encoding") is None
    assert compressed["Content-Encoding"] == "gzip"
    assert plain["Vary"] == compressed["Vary"]
    assert "Accept-Encoding" in [v.strip() for v in compressed["Vary"].split(",")]
    assert int(compressed["Content-Length"]) == len(compressed.content)
    assert len(compressed.content) < len(plain.content) / 2
    html = gzip.decompress(compressed.content).decode()
    h1 = re.compile(r"<h1[^>]*>.*?</h1>", re.S)
    assert h1.findall(html) == h1.findall(plain.content.decode())
    assert html.rstrip().endswith("</html>")


def test_templates_are_compiled_once_per_process():
    """Django wraps the default loaders in the cached loader (debug or not): a template is
    parsed on first use, then served from memory."""
    (loader,) = engines["django"].engine.template_loaders
    assert isinstance(loader, Loader)
    assert [type(inner).__module__ for inner in loader.loaders] == [
        "django.template.loaders.filesystem",
        "django.template.loaders.app_directories",
    ]
