"""/dev/mail/: the messages development wrote to files (core/dev_mail.py), decoded.

Only with DEBUG (a 404 otherwise, for everyone): it shows every account email, reset links
included. In development anyone at the browser is the developer, signed in or not."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core import dev_mail


def _directory():
    if not settings.DEBUG:
        raise Http404("Only in development.")
    return dev_mail.mail_dir()


@login_not_required
@require_GET
def dev_mail_list(request):
    directory = _directory()
    letters = dev_mail.letters_list(directory) if directory else []
    return render(
        request,
        "core/dev_mail_list.html",
        {"letters": letters, "directory": directory},
    )


@login_not_required
@require_GET
def dev_mail_detail(request, name):
    directory = _directory()
    letter = dev_mail.letter_get(directory, name) if directory else None
    if letter is None:
        raise Http404("No such message.")
    if request.GET.get("part") == "html":
        if letter.html is None:
            raise Http404("This message has no HTML part.")
        # The HTML part as the recipient's mail client gets it, under the site's own CSP.
        return HttpResponse(letter.html, content_type="text/html; charset=utf-8")
    return render(request, "core/dev_mail_detail.html", {"letter": letter})
