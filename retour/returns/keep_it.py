"""Returnless refunds ("keep it"): under the policy's threshold the refund or credit is issued
without the item coming back, and the customer is told to keep or donate it.

A return qualifies, at approval, by the first rule that holds (the audit names it):

- ``value_under``: the approved units are worth less than ``keep_it_max_value``;
- ``reason``: every line's reason is one of ``keep_it_reasons``;
- ``category``: every line's category is one of ``keep_it_categories``.

Only refund and store-credit resolutions qualify: an exchange or a guarantee repair needs the
item, and so does a return with nothing approved.

The rule belongs to returns (approval applies it); the refund it leads to is issued by
``retour.resolutions.keep_it``, which registers itself with ``returns.services.on_keep_it``:
resolutions build on returns, and returns never import them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from retour.core.money import ZERO, money_str
from retour.policies.models import Policy, Resolution
from retour.returns.money import units_value

KEEP_IT_RESOLUTIONS = (Resolution.REFUND, Resolution.STORE_CREDIT)


@dataclass(frozen=True)
class KeepIt:
    rule: str
    data: dict[str, Any]


def keep_it_rule(
    *, policy: Policy, resolution: str, currency: str, lines: list[tuple[Any, int]]
) -> KeepIt | None:
    """Which keep-it rule lets the return be refunded without the item, if any.

    ``lines``: (return line with its order line, approved units) for every line.
    """
    approved = [(line, units) for line, units in lines if units > 0]
    if resolution not in KEEP_IT_RESOLUTIONS or not approved:
        return None
    value = sum((units_value(line.order_line, units, currency) for line, units in approved), start=ZERO)
    threshold = Decimal(policy.keep_it_max_value or 0)
    if threshold > 0 and value < threshold:
        return KeepIt(
            "value_under",
            {
                "rule": "value_under",
                "value": money_str(value, currency),
                "threshold": money_str(threshold, currency),
            },
        )
    reasons = set(policy.keep_it_reasons or [])
    if reasons and all(line.reason in reasons for line, _units in approved):
        return KeepIt("reason", {"rule": "reason", "reasons": sorted({line.reason for line, _u in approved})})
    categories = set(policy.keep_it_categories or [])
    if categories and all(line.order_line.category in categories for line, _units in approved):
        return KeepIt(
            "category",
            {"rule": "category", "categories": sorted({line.order_line.category for line, _u in approved})},
        )
    return None
