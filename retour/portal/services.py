"""Writes of the shopper portal. Each one ends in the same services the API uses.

Photos are chosen on the items screen, before the return exists: they are checked and
re-encoded at once (``photo_prepare``) and kept as draft files until the shopper confirms,
then attached to the new return in the same transaction that creates it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from retour.core import clock
from retour.core.actors import Actor
from retour.core.errors import ValidationFailed
from retour.orders.models import Order
from retour.returns.models import ReturnRequest
from retour.returns.photos import PreparedPhoto, photo_prepare, photos_add
from retour.returns.services import ExchangeRequest, LineRequest, return_cancel, return_create, return_ship

log = logging.getLogger(__name__)

DRAFT_DIR = "portal/drafts"


@dataclass(frozen=True)
class DraftLine:
    """One line of the return being put together, as kept in the shopper's session."""

    line_id: int
    quantity: int
    reason: str
    comment: str = ""
    photos: tuple[str, ...] = ()  # storage names of checked, re-encoded draft photos
    seal_opened: bool | None = None  # sealed goods: the answer to "Has the seal been opened?"

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "photos": list(self.photos)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DraftLine:
        return cls(
            line_id=int(data["line_id"]),
            quantity=int(data["quantity"]),
            reason=str(data["reason"]),
            comment=str(data.get("comment", "")),
            photos=tuple(data.get("photos", ())),
            seal_opened=data.get("seal_opened"),
        )

    def request(self) -> LineRequest:
        return LineRequest(
            line_id=self.line_id,
            quantity=self.quantity,
            reason=self.reason,
            comment=self.comment,
            seal_opened=self.seal_opened,
        )


def draft_photo_save(photo: PreparedPhoto) -> str:
    """Keep a checked photo until the return is confirmed; returns its storage name."""
    return default_storage.save(
        f"{DRAFT_DIR}/{uuid.uuid4().hex}.{photo.extension}", ContentFile(photo.content)
    )


def draft_photos_delete(names: Iterable[str]) -> None:
    for name in names:
        if name.startswith(DRAFT_DIR + "/"):
            try:
                default_storage.delete(name)
            except OSError:  # already gone: nothing to clean
                log.warning("draft photo %s could not be deleted", name)


def draft_photos_purge(*, older_than: timedelta = timedelta(days=1), now: datetime | None = None) -> int:
    """Delete draft photos of returns never confirmed (sessions last two hours); returns how many.

    Meant for a periodic task.
    """
    cutoff = (now or clock.now()) - older_than
    try:
        _dirs, files = default_storage.listdir(DRAFT_DIR)
    except FileNotFoundError:
        return 0
    old = [
        f"{DRAFT_DIR}/{name}"
        for name in files
        if default_storage.get_modified_time(f"{DRAFT_DIR}/{name}") < cutoff
    ]
    draft_photos_delete(old)
    return len(old)


def _draft_photos(names: Iterable[str]) -> list[PreparedPhoto]:
    """Draft files read back (and checked again: the storage is outside this process's control)."""
    out = []
    for name in names:
        if not name.startswith(DRAFT_DIR + "/") or not default_storage.exists(name):
            continue
        with default_storage.open(name, "rb") as handle:
            out.append(photo_prepare(handle))
    return out


def _draft_record_key(draft_key: str) -> str:
    return f"portal-draft:{draft_key}"[:255]


def portal_draft_return(*, order: Order, draft_key: str) -> ReturnRequest | None:
    """The return an earlier confirm of this draft created (None if it was never confirmed)."""
    from retour.core.models import IdempotencyRecord

    if not draft_key:
        return None
    record = IdempotencyRecord.objects.filter(
        store_id=order.store_id, key=_draft_record_key(draft_key), body_hash=str(order.pk)
    ).first()
    token = (record.response_body or {}).get("token") if record else None
    return ReturnRequest.objects.filter(order=order, token=token).first() if token else None


def _draft_claim(order: Order, draft_key: str) -> Any:
    """Claim the draft's key in the confirming transaction. A concurrent confirm of the same
    draft waits on the unique index, then finds the return the first one made."""
    from retour.core.models import IdempotencyRecord

    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                store_id=order.store_id,
                key=_draft_record_key(draft_key),
                method="POST",
                path="portal:review",
                body_hash=str(order.pk),
            )
    except IntegrityError:
        return None


@transaction.atomic
def portal_return_submit(
    *,
    order: Order,
    draft: list[DraftLine],
    resolution: str,
    exchange_items: list[ExchangeRequest] | tuple = (),
    draft_key: str = "",
    now: datetime | None = None,
) -> ReturnRequest:
    """Create the shopper's return (channel ``portal``) with its photos, in one transaction.

    With ``draft_key`` (the session draft's random key) the confirm is idempotent: the same
    draft confirmed again, even in parallel, answers the return it already created.
    """
    now = now or clock.now()
    record = None
    if draft_key:
        record = _draft_claim(order, draft_key)
        if record is None:
            existing = portal_draft_return(order=order, draft_key=draft_key)
            if existing is None:
                raise ValidationFailed(_("This return is already being confirmed. Please reload the page."))
            return existing
    rr = return_create(
        order=order,
        actor=Actor.customer(order.customer.email),
        lines=[d.request() for d in draft],
        resolution=resolution,
        channel="portal",
        exchange_items=exchange_items,
        now=now,
    )
    by_order_line = {ln.order_line_id: ln for ln in rr.lines.all()}
    for item in draft:
        photos = _draft_photos(item.photos)
        if photos:
            photos_add(return_request=rr, return_line=by_order_line.get(item.line_id), photos=photos)
    names = [n for d in draft for n in d.photos]
    transaction.on_commit(lambda: draft_photos_delete(names))
    if record is not None:
        record.status_code = 302
        record.response_body = {"token": rr.token, "number": rr.number}
        record.save(update_fields=["status_code", "response_body"])
    return rr


@transaction.atomic
def portal_withdrawal_submit(
    *, order: Order, name: str, email: str, lines: list[LineRequest], now: datetime | None = None
) -> ReturnRequest:
    """The EU withdrawal function (art. 11a): a return marked as a statutory withdrawal.

    The statement (who, which order, when) is kept on the return as a message from the
    customer, so staff see it in the admin next to the return.
    """
    now = now or clock.now()
    rr = return_create(
        order=order,
        actor=Actor.customer(email),
        lines=lines,
        resolution="refund",
        channel="portal",
        withdrawal_statement=True,
        statement={"name": name, "email": email},
        now=now,
    )
    _statement_record(rr, name=name, email=email, now=now)
    return rr


def withdrawal_reason(store: Any) -> str:
    """The reason code recorded on withdrawn lines: a withdrawal needs no reason, so the
    catalogue's ``withdrawal`` entry when the store has one, else its neutral ``other``."""
    from retour.policies.models import ReturnReason

    codes = list(ReturnReason.objects.filter(store=store, active=True).values_list("code", flat=True))
    for code in ("withdrawal", "other", "changed_mind"):
        if code in codes:
            return code
    return codes[0] if codes else "other"


def withdrawal_statement_text(
    *, name: str, email: str, order_number: str, submitted_at: datetime, time_zone: str = "UTC"
) -> str:
    """The statement as the consumer made it, in the language of the page they made it on, with
    the date and time in the shop's time zone (kept verbatim on the return)."""
    from zoneinfo import ZoneInfo

    from django.utils import formats
    from django.utils.translation import gettext

    local = submitted_at.astimezone(ZoneInfo(time_zone))
    when = f"{formats.date_format(local, 'DATE_FORMAT')} {local:%H:%M} ({time_zone})"
    return gettext(
        "Withdrawal statement: I, %(name)s (%(email)s), hereby withdraw from my contract for order "
        "%(number)s. Submitted through the online withdrawal function on %(when)s."
    ) % {"name": name, "email": email, "number": order_number, "when": when}


def _statement_record(rr: ReturnRequest, *, name: str, email: str, now: datetime) -> None:
    from retour.helpdesk.services import message_post

    text = withdrawal_statement_text(
        name=name,
        email=email,
        order_number=rr.order.number,
        submitted_at=now,
        time_zone=rr.store.time_zone,
    )
    message_post(return_request=rr, author_type="customer", author_name=name, body=text, now=now)


def portal_return_ship(
    *, return_request: ReturnRequest, carrier: str = "", tracking_number: str = ""
) -> ReturnRequest:
    """'I have shipped it', said by the shopper."""
    return return_ship(
        return_request=return_request,
        actor=Actor.customer(return_request.customer.email),
        carrier=carrier.strip(),
        tracking_number=tracking_number.strip(),
    )


def portal_return_cancel(*, return_request: ReturnRequest) -> ReturnRequest:
    return return_cancel(return_request=return_request, actor=Actor.customer(return_request.customer.email))


def portal_message_send(*, return_request: ReturnRequest, body: str) -> Any:
    """'None of these answers helps': a message to support, stored on the return."""
    from retour.helpdesk.services import message_post

    customer = return_request.customer
    return message_post(
        return_request=return_request,
        author_type="customer",
        author_name=customer.name or customer.email,
        body=body,
    )
