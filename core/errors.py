"""The 500 page: says what happened and quotes the request id the error was logged under."""

from django.conf import settings
from django.http import HttpResponseServerError
from django.template import loader
from django.utils import log
from django.views.decorators.csrf import requires_csrf_token

from core import request_id


@requires_csrf_token
def server_error(request):
    # No context processors, no database: whatever broke the page may break them too.
    template = loader.get_template("500.html")
    context = {
        "request_id": getattr(request, "request_id", None) or request_id.current(),
        # Error reports go by email to DJANGO_ADMINS, outside development.
        "reported": bool(settings.ADMINS) and not settings.DEBUG,
    }
    return HttpResponseServerError(template.render(context))


class AdminEmailHandler(log.AdminEmailHandler):
    """Django's error report by email to ADMINS; a mail server that is down must not turn one
    error into two (with MAILERS, Django's handler lets the sending error escape)."""

    def emit(self, record):
        try:
            super().emit(record)
        except Exception:
            self.handleError(record)
