"""Payment providers behind one adapter interface (``base.PaymentAdapter``): Stripe, Mollie, manual.

``adapter_for`` builds the adapter of a store's configured provider with its decrypted secrets.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from retour.resolutions.payments.base import PaymentAdapter, PaymentError

if TYPE_CHECKING:
    from retour.resolutions.models import PaymentProviderConfig

PROVIDERS = ("stripe", "mollie", "manual")


def adapter_for(config: PaymentProviderConfig | None, provider: str = "") -> PaymentAdapter:
    """The adapter for ``provider`` (default: the configured one) with the store's secrets."""
    from retour.resolutions.payments.manual import ManualAdapter
    from retour.resolutions.payments.secrets import secret_decrypt

    name = provider or (config.provider if config else "manual")
    if name == "manual":
        return ManualAdapter()
    if config is None or config.provider != name:
        raise PaymentError(
            f"The store's payment provider is not {name}; set it up first.", code="provider_not_configured"
        )
    secret, webhook_secret = (
        secret_decrypt(config.secret_key_encrypted),
        secret_decrypt(config.webhook_secret_encrypted),
    )
    if name == "stripe":
        from retour.resolutions.payments.stripe_adapter import StripeAdapter

        return StripeAdapter(secret_key=secret, webhook_secret=webhook_secret)
    if name == "mollie":
        from retour.resolutions.payments.mollie_adapter import MollieAdapter

        return MollieAdapter(secret_key=secret, webhook_secret=webhook_secret)
    raise PaymentError(f"Unknown payment provider {name!r}.", code="provider_not_configured")
