from members.permissions import role_of


def navigation(request):
    """The navigation a person sees depends only on their role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_role": "visitor"}
    return {"nav_role": role_of(user)}
