"""The sandbox provider's webhook delivery: a job, as a real provider's notification arrives apart
from the browser's return."""

from huey.contrib.djhuey import db_task

from .providers import sandbox


@db_task(retries=5, retry_delay=10)
def sandbox_webhook_deliver(body: str) -> str:
    """Sign the sandbox's notification now (as a provider signs each delivery) and hand it to the
    same service as the HTTP webhook endpoint; a refusal raises, so the job retries like a provider."""
    from .services import webhook_receive

    payload = body.encode()
    result = webhook_receive(
        provider=sandbox.NAME, body=payload, headers={sandbox.SIGNATURE_HEADER: sandbox.sign(payload)}
    )
    return result.status
