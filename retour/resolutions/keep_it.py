"""The refund of a keep-it return (the rule itself is ``retour.returns.keep_it``): issued at
approval, right after the items are let go. ``ResolutionsConfig.ready`` registers it with
``returns.services.on_keep_it``, so returns call it without importing resolutions."""

from __future__ import annotations

from typing import Any

from retour.core.actors import Actor
from retour.policies.models import RefundTrigger, Resolution
from retour.resolutions.models import RefundMethod
from retour.resolutions.services import refund_issue
from retour.returns.models import ReturnRequest
from retour.returns.selectors import return_money


def keep_it_refund(*, return_request: Any, now: Any = None) -> Any:
    """Issue the refund of a keep-it return at once (store credit is credited by the trigger
    already); with a manual refund trigger staff issue it themselves."""
    rr = ReturnRequest.objects.select_related("store", "store__policy", "order").get(pk=return_request.pk)
    if rr.resolution != Resolution.REFUND or rr.store.policy.refund_trigger == RefundTrigger.MANUAL:
        return None
    if return_money(rr).refundable <= 0:
        return None
    return refund_issue(
        return_request=rr, actor=Actor.system("keep it"), method=RefundMethod.ORIGINAL_PAYMENT, now=now
    )
