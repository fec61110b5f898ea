from __future__ import annotations

from datetime import datetime

from ninja import Field, Schema


class WebhookEndpointIn(Schema):
    url: str = Field(..., max_length=1000, description="http:// or https:// address that receives the events")
    events: list[str] = Field(..., description="Event types to send, e.g. return.approved")
    description: str = Field("", max_length=200)


class WebhookEndpointOut(Schema):
    id: int
    url: str
    events: list[str]
    description: str
    status: str = Field(..., description="active | disabled")
    created_at: datetime
    last_success_at: datetime | None
    last_failure_at: datetime | None
    last_error: str
    consecutive_failures: int
    next_retry_at: datetime | None
    disabled_at: datetime | None
    disabled_reason: str


class WebhookEndpointCreated(WebhookEndpointOut):
    secret: str = Field(..., description="whsec_… signing secret, shown in this answer only")


class WebhookEndpointList(Schema):
    items: list[WebhookEndpointOut]
    next_cursor: str | None


class WebhookAttemptOut(Schema):
    at: datetime
    status_code: int | None
    succeeded: bool
    error: str
    duration_ms: int


class WebhookDeliveryOut(Schema):
    id: int
    event_id: str
    type: str
    status: str = Field(..., description="pending | sending | succeeded | failed")
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str
    created_at: datetime
    succeeded_at: datetime | None
    log: list[WebhookAttemptOut]


class WebhookDeliveryPage(Schema):
    items: list[WebhookDeliveryOut]
    next_cursor: str | None
