from functools import wraps

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


def portal_login_required(view):
    """A logged-in portal user; operator staff (no portal profile) go to the back office instead."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.scope.is_authenticated:
            return redirect("admin:index")
        return view(request, *args, **kwargs)

    return wrapper
