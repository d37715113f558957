from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from selfcare.core.decorators import public

from .models import OutboxMessage


@public
def dev_inbox(request):
    """Every SMS and email the product sent, so a person trying the demo can read one-time codes.

    Exists only with DEBUG or DEMO on; in production it is a 404.
    """
    if not (settings.DEBUG or settings.DEMO):
        raise Http404
    messages = OutboxMessage.objects.all()[:200]
    return render(request, "notifications/dev_inbox.html", {"outbox": messages})
