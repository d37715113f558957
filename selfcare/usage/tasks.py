from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from . import alerts, retention


@db_task(retries=3, retry_delay=10)
def check_usage_alerts(line_ids: list[int]) -> None:
    """Queued by each ingestion batch for the lines it touched."""
    alerts.usage_alerts_send(line_ids=line_ids)


@db_periodic_task(crontab(hour="3", minute="30"))
def drop_old_usage_detail() -> None:
    retention.usage_detail_drop()
