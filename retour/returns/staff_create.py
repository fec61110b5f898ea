"""Returns created by staff for a customer on the phone or at the shop counter.

The same ``return_create`` as the portal and the API: the same eligibility checks and refusals,
the same fees, the same emails to the customer and the same slip. What staff add is the channel
(phone, shop, back office) and, when they decide to accept what the policy refuses, an override
whose reason goes into the return's audit trail with the list of what was waved through.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from retour.core.actors import Actor
from retour.core.errors import Forbidden, ValidationFailed, line_error
from retour.policies.models import Resolution
from retour.returns.models import ReturnChannel, ReturnRequest
from retour.returns.services import ExchangeRequest, LineRequest, return_create
from retour.stores.models import Store

STAFF_CHANNELS = (ReturnChannel.PHONE, ReturnChannel.STORE, ReturnChannel.STAFF)
# Roles that create returns for customers (warehouse staff and partners do not).
CREATING_ROLES = ("admin", "agent")
MAX_OVERRIDE_REASON = 500


def staff_may_create_returns(actor: Actor) -> bool:
    return actor.type == "user" and actor.role in CREATING_ROLES


@transaction.atomic
def return_create_by_staff(
    *,
    store: Store,
    order_number: str,
    actor: Actor,
    lines: list[LineRequest],
    resolution: str = Resolution.REFUND,
    channel: str = ReturnChannel.PHONE,
    exchange_items: list[ExchangeRequest] | tuple = (),
    override: bool = False,
    override_reason: str = "",
    now: datetime | None = None,
) -> ReturnRequest:
    """Create a return for the customer of ``store``'s order ``order_number`` (NotFound for an
    order of another store), as ``actor`` (an admin or agent of the store).

    ``override`` accepts lines outside the window or flagged final sale / not returnable; it
    needs ``override_reason``, recorded in the ``created`` event with the refusals overridden.
    """
    if not staff_may_create_returns(actor):
        raise Forbidden()
    errors = []
    if channel not in STAFF_CHANNELS:
        errors.append(
            line_error(
                ["channel"], "invalid_value", _("Say whether the customer called or came to the shop.")
            )
        )
    reason = " ".join((override_reason or "").split())[:MAX_OVERRIDE_REASON]
    if override and not reason:
        errors.append(
            line_error(
                ["override_reason"],
                "required",
                _("Say why you accept what the policy refuses: it is kept in the return's history."),
            )
        )
    if errors:
        raise ValidationFailed(_("The return was not created."), errors=errors)
    return return_create(
        store=store,
        order_number=order_number,
        actor=actor,
        lines=lines,
        resolution=resolution,
        channel=channel,
        exchange_items=exchange_items,
        override=override,
        override_reason=reason if override else "",
        now=now,
    )
