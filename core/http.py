"""Small request helpers shared by the apps' views."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect


def posted(request):
    """The POST data, also when empty: an empty POST must still show what is required."""
    return request.POST if request.method == "POST" else None


def redirect_done(request, url: str):
    """After a change: the browser goes to ``url``; an htmx request is told to go there
    (HX-Redirect) instead of swapping the next page into the part it asked for."""
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def service_error_messages(error: ValidationError | PermissionDenied) -> list[str]:
    """Every message of a service's refusal, in order."""
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [str(error)] if str(error) else []


def service_error_show(request, error: ValidationError | PermissionDenied, *, form=None) -> None:
    """Show a service's refusal, every message of it: on `form` when the page has one (per field
    where the error names one of the form's fields, form-wide otherwise), else as error
    messages on the next page."""
    if form is None:
        for text in service_error_messages(error):
            messages.error(request, text)
    elif isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        for field, texts in error.message_dict.items():
            form.add_error(field if field in form.fields else None, texts)
    else:
        form.add_error(None, service_error_messages(error))
