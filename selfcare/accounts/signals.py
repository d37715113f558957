"""Keep the cached scope data (selfcare.core.scope) in step with what it is built from."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from selfcare.core.scope import forget_scope as _forget_now

from .models import SimAssociation, User


def forget_scope(user_id: int) -> None:
    # Now, and again after the commit: between the two a request could cache the old rows again.
    _forget_now(user_id)
    transaction.on_commit(lambda: _forget_now(user_id))


@receiver([post_save, post_delete], sender=SimAssociation, dispatch_uid="scope_sim_association")
def _association_changed(sender, instance, **kwargs):
    forget_scope(instance.user_id)


@receiver([post_save, post_delete], sender=User, dispatch_uid="scope_user")
def _user_changed(sender, instance, **kwargs):
    forget_scope(instance.pk)


@receiver(m2m_changed, sender=User.cost_centres.through, dispatch_uid="scope_cost_centres")
@receiver(m2m_changed, sender=User.sites.through, dispatch_uid="scope_sites")
def _restriction_changed(sender, instance, action, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if isinstance(instance, User):
        forget_scope(instance.pk)
    else:  # changed from the cost centre's or site's side: pk_set holds users
        for user_id in pk_set or User.objects.values_list("pk", flat=True):
            forget_scope(user_id)
