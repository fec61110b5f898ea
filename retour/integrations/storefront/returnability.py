"""What a product page may say about returning one SKU: window, fees, the statutory right, and
a sentence in the shopper's language. Public and cacheable: it reveals only what the policy page
already says, and nothing about any order.

Whether the SKU itself may be returned comes from how the shop flags it on its orders (the most
recent order line of that SKU: final sale, not returnable, statutory exclusion); a SKU Retour has
not seen yet follows the store's general policy.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from retour.core.money import format_money, money_str
from retour.legal import engine
from retour.orders.models import OrderLine
from retour.policies.models import Policy, WindowStart
from retour.stores.models import Store

LANGUAGES = ("en", "fr", "de", "es", "it", "nl")


def public_language(requested: str | None, store: Store) -> str:
    for candidate in (requested, store.language, "en"):
        code = (candidate or "").lower().replace("_", "-").split("-")[0]
        if code in LANGUAGES:
            return code
    return "en"


def statutory_for(country: str, policy: Policy, line: OrderLine | None) -> dict[str, Any] | None:
    """The consumer's legal right to withdraw in ``country`` (None when there is none, the store
    does not apply statutory rights, or the item is one the law excludes)."""
    if not policy.apply_statutory_rights or (line is not None and line.legal_exclusion):
        return None
    rule = engine.country_rule(country)  # ValueError for a code that is not ISO 3166-1
    if rule is None or rule.withdrawal_right != "mandatory" or not rule.withdrawal_days:
        return None
    return {"right": "withdrawal", "days": rule.withdrawal_days}


def _text(*, returnable: bool, policy: Policy, statutory: dict | None, fee: str, restocking: str) -> str:
    if not returnable:
        parts = [_("This item cannot be returned under the shop's policy.")]
    elif policy.window_starts == WindowStart.ORDER:
        parts = [
            _("You can return this item within %(days)s days of your order.") % {"days": policy.window_days}
        ]
    else:
        parts = [
            _("You can return this item within %(days)s days of delivery.") % {"days": policy.window_days}
        ]
    if returnable:
        if fee:
            parts.append(_("Return shipping costs %(fee)s.") % {"fee": fee})
        else:
            parts.append(_("Returns are free."))
        if restocking:
            parts.append(_("A restocking fee of %(percent)s applies.") % {"percent": restocking})
        if fee or restocking:
            parts.append(_("There is no charge if the item is faulty or not as described."))
    if statutory:
        parts.append(
            _("The law also gives you %(days)s days after delivery to withdraw from the purchase.")
            % {"days": statutory["days"]}
        )
    return " ".join(str(p) for p in parts)


def returnability_public(*, store: Store, sku: str, country: str, language: str) -> dict[str, Any]:
    """The answer of ``GET /public/<store>/returnability`` (ValueError for a bad country code)."""
    from retour.policies.policy_page import format_percent

    policy = store.policy
    line = (
        OrderLine.objects.filter(order__store=store, sku=sku).order_by("-order__placed_at", "-id").first()
        if sku
        else None
    )
    statutory = statutory_for(country, policy, line)
    by_policy = line is None or (line.returnable and not line.final_sale)
    returnable = by_policy or statutory is not None
    currency = store.currency
    shipping, restocking = policy.return_shipping_fee, policy.restocking_fee_percent
    with translation.override(language):
        text = _text(
            returnable=by_policy,
            policy=policy,
            statutory=statutory,
            fee=format_money(shipping, currency, language) if shipping > 0 else "",
            restocking=format_percent(restocking, language) if restocking > 0 else "",
        )
        link_text = str(_("Return policy"))
    return {
        "store": store.slug,
        "sku": sku,
        "country": country,
        "language": language,
        "window_days": policy.window_days if by_policy else 0,
        "window_starts": policy.window_starts,
        "statutory": statutory,
        "fees": {
            "currency": currency,
            "return_shipping": money_str(shipping, currency),
            "restocking_percent": format(Decimal(restocking).normalize(), "f"),
            "free_for_seller_fault": True,
        },
        "returnable": returnable,
        "text": text,
        "policy_url": f"{settings.BASE_URL}/{language if language in ('en', 'fr') else 'en'}/portal/{store.slug}/policy",
        "policy_link_text": link_text,
    }
