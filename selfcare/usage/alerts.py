"""Usage alerts: a line's users are told when a counter of the current period passes 80% and 100%.

Each level is sent once per counter (the counter remembers the highest level sent). The per-kind and
per-channel choices of SPEC §11 (SMS to the referent, the user's own thresholds) extend this with the
notification preferences; today the alert is an in-app notification to the line's own employee and to
the employees who associated the line.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from selfcare.accounts.models import SimAssociation
from selfcare.core.validators import format_phone_number
from selfcare.lines.models import Counter
from selfcare.notifications.models import Notification

LEVELS = (100, 80)  # highest first: a counter that jumps past both gets the 100% alert only


def usage_alerts_send(*, line_ids: list[int]) -> int:
    """Notify the users of these lines of each counter that reached a level not yet alerted; return how many."""
    today = timezone.localdate()
    sent = 0
    with transaction.atomic():
        counters = (
            Counter.objects.select_for_update(of=("self",))
            .filter(line_id__in=line_ids, allowance__gt=0, period_start__lte=today, period_end__gt=today)
            .filter(Q(used__gte=F("allowance") * 80 / 100) & Q(alerted_percent__lt=100))
            .select_related("line")
            .order_by("pk")
        )
        for counter in counters:
            level = next(lv for lv in LEVELS if counter.used * 100 >= counter.allowance * lv)
            if level <= counter.alerted_percent:
                continue
            with override(settings.LANGUAGE_CODE):  # users have no language of their own: the portal's first
                message = _message(counter, level)
            for user in _users_of(counter.line_id):
                Notification.objects.create(user=user, **message)
                sent += 1
            counter.alerted_percent = level
            counter.save(update_fields=["alerted_percent"])
    return sent


def _users_of(line_id: int):
    associated = SimAssociation.objects.filter(line_id=line_id, ended_at__isnull=True).values("user_id")
    return get_user_model().objects.filter(Q(line_id=line_id) | Q(pk__in=associated), is_active=True)


def _message(counter: Counter, level: int) -> dict:
    values = {"percent": level, "allowance": counter.kind_label, "number": format_phone_number(counter.line.number)}
    if level >= 100:
        title = _("You have used all of your %(allowance)s allowance on %(number)s") % values
    else:
        title = _("You have used %(percent)d%% of your %(allowance)s allowance on %(number)s") % values
    body = _("The allowance renews on %(date)s.") % {"date": counter.period_end.strftime("%d/%m/%Y")}
    return {"title": title[:200], "body": body, "link": reverse("lines:detail", args=[counter.line_id])}
