"""The referee's page, opened from the private link in their email (no account)."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import render

from core.http import posted, service_error_messages
from members import forms, selectors, services


@login_not_required
def reference_respond(request, token: str):
    reference, problem = selectors.reference_by_token(token)
    if reference is None:
        return render(
            request, "members/reference_unavailable.html", {"problem": problem}, status=404
        )
    form = forms.ReferenceAnswerForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.reference_answer(reference=reference, **form.cleaned_data)
        except ValidationError as error:
            return render(
                request,
                "members/reference_unavailable.html",
                {"problem": " ".join(service_error_messages(error))},
                status=410,
            )
        return render(request, "members/reference_thanks.html", {"reference": reference})
    return render(request, "members/reference_form.html", {"form": form, "reference": reference})
