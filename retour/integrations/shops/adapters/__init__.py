"""One module per shop platform, each an ``adapter`` with the same small interface (``base``)."""

from __future__ import annotations

from retour.integrations.shops.adapters.base import ShopAdapter
from retour.integrations.shops.adapters.prestashop import PrestaShopAdapter
from retour.integrations.shops.adapters.shopify import ShopifyAdapter
from retour.integrations.shops.adapters.woocommerce import WooCommerceAdapter

ADAPTERS: dict[str, ShopAdapter] = {
    adapter.platform: adapter for adapter in (ShopifyAdapter(), WooCommerceAdapter(), PrestaShopAdapter())
}


def adapter_for(platform: str) -> ShopAdapter:
    return ADAPTERS[platform]
