from huey import signals
from huey.contrib.djhuey import db_task, signal

from . import services
from .channels import DeliveryError

MAX_RETRIES = 5


@db_task(retries=MAX_RETRIES, retry_delay=30)
def deliver_outbox_message(message_id: int) -> None:
    services.message_deliver(message_id=message_id)


@signal(signals.SIGNAL_ERROR)
def give_up_after_last_retry(signal_name, task, exc=None):
    if task.name == deliver_outbox_message.name and task.retries == 0 and isinstance(exc, DeliveryError):
        services.message_give_up(message_id=task.args[0])
