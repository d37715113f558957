"""Writes and audited reads of the lines app."""

from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from selfcare.core import ratelimit
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Cap
from selfcare.core.scope import Scope
from selfcare.lines.models import Line, Sim

# A person reads a SIM's codes a few times; hundreds an hour is someone harvesting them.
REVEALS_PER_HOUR = 30


@dataclass(frozen=True)
class SimSecrets:
    iccid: str
    pin: str
    puk: str


def sim_secrets_reveal(*, scope: Scope, line_id: int, ip: str | None = None) -> SimSecrets:
    """The PIN and PUK of the active SIM of a line the scope may see, written to the audit log.

    Managers and the line's own employee (or one who associated it) may reveal them; anyone
    else gets a 404 for the line, exactly as if it did not exist. The audit event is written in
    the same transaction as the read, so no reveal goes unrecorded.
    """
    scope.require(Cap.SIM_SECRETS_REVEAL)
    line = scope.lines(Line.objects.only("pk", "company_id", "number")).filter(pk=line_id).first()
    if line is None:
        raise Http404
    ratelimit.enforce(
        f"sim-reveal:{scope.user_id}",
        limit=REVEALS_PER_HOUR,
        window_seconds=3600,
        message=_("Too many PIN and PUK requests: try again in an hour."),
    )
    with transaction.atomic():
        sim = Sim.objects.filter(line=line, status=Sim.Status.ACTIVE).first()
        if sim is None:
            raise Http404
        AuditEvent.objects.create(
            actor_id=scope.user_id,
            company_id=line.company_id,
            action="sim_secrets_revealed",
            object_type="sim",
            object_id=str(sim.pk),
            detail={"line": line.number, "iccid": sim.iccid},
            ip_address=ip or None,
        )
    return SimSecrets(iccid=sim.iccid, pin=sim.pin, puk=sim.puk)
