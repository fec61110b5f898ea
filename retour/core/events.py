"""Business events for the outside world (outgoing webhooks), written with the change.

A service that changes something other systems care about calls ``webhook_event_emit`` inside
its own transaction. The call writes the outbox rows (one message, one delivery per subscribed
endpoint) in that transaction and the deliveries are sent by the worker after commit, so an
event is never sent for a change that was rolled back and never lost for one that committed.

This module sits in ``core`` so that every app may emit without importing the integrations
layer (imports point one way); the writer is named by its dotted path, as the periodic jobs are.
When no endpoint of the store wants the event, it costs one query and ``data_fn`` is not called.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any

RETURN_EVENT_TYPES: dict[str, str] = {
    # ReturnEvent.action → webhook event type
    "created": "return.created",
    "approved": "return.approved",
    "rejected": "return.rejected",
    "cancelled": "return.cancelled",
    "shipped": "return.shipped",
    "received": "return.received",
    "inspected": "return.inspected",
    "refund_issued": "return.refunded",
    "completed": "return.completed",
    "expired": "return.expired",
}
EVENT_TYPES: tuple[str, ...] = (
    *RETURN_EVENT_TYPES.values(),
    "refund.succeeded",
    "refund.failed",
    "message.created",
)

WRITER = "retour.integrations.webhooks.services:webhook_messages_write"


def webhook_event_emit(*, store: Any, type: str, data_fn: Callable[[], dict[str, Any]]) -> Any:  # noqa: A002
    """Record the event ``type`` for ``store`` (a Store or its id) in the current transaction.

    ``data_fn`` returns the event's ``data`` (the API's own representation of the object, as
    JSON-ready values); it is called once, only when some endpoint wants the event, and should
    read the object as the transaction now sees it. Returns the message row, or None.
    """
    if type not in EVENT_TYPES:
        raise ValueError(f"Unknown webhook event type {type!r}")
    module_name, _, name = WRITER.partition(":")
    writer = getattr(import_module(module_name), name)
    return writer(store_id=getattr(store, "pk", store), type=type, data_fn=data_fn)
