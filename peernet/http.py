"""Small request helpers shared by the apps' views."""


def posted(request):
    """The POST data, also when empty: an empty POST must still show what is required."""
    return request.POST if request.method == "POST" else None
