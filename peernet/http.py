"""Small request helpers shared by the apps' views."""


def posted(request):
    """The POST data, also when empty: an empty POST must still show what is required."""
    return request.POST if request.method == "POST" else None


def form_errors_add(form, error) -> None:
    """Put a service's ValidationError on the form: per field where it names one of the
    form's fields, as a form-wide error otherwise."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
