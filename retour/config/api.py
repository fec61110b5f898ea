"""The one NinjaAPI of Retour: REST API v1 (contract: docs/api-v1.md)."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from retour.core.api import (
    ApiKeyAuth,
    OrjsonRenderer,
    install_exception_handlers,
    problem_for_method_not_allowed,
)
from retour.core.openapi import document_errors

DESCRIPTION = """Returns management: orders, returns, refunds, policy, stock and consumer law.

## Error codes

Errors are `application/problem+json` documents whose `code` is stable. Besides the codes of
the contract (`unauthenticated` 401, `forbidden` 403, `not_found` 404, `validation_error` 422,
`not_returnable` 422, `invalid_transition` 409, `quantity_exceeds_approved` and
`quantity_exceeds_received` 422, `refund_exceeds_refundable` 422, `idempotency_key_reused` 422,
`payload_too_large` 413, `rate_limited` 429), the API may answer:

| HTTP | code | when |
|---|---|---|
| 405 | `method_not_allowed` | the path exists but not with this method (see the `Allow` header) |
| 500 | `server_error` | an unexpected error on our side; it was logged, the request may be retried |
| 503 | `database_unavailable` | the database is down, unreachable or timed out; retry after `Retry-After` seconds |
| 403 | `refund_needs_admin` | an agent's refund above the store's agent refund limit: an admin must make it |
| 422 | `legal_input_invalid` | the consumer-law periods cannot be computed from an order's stored data (a date outside 1990–2099) |
| 422 | `credit_void`, `credit_expired`, `insufficient_credit` | a store-credit code that was voided, has expired, or holds less than the amount to redeem |
| 401 | `invalid_signature` | a shop's webhook (`/hooks/shopify/…`, `/hooks/woocommerce/…`) without its signature or with a wrong one; nothing is stored |
| 422 | `webhook_url_not_allowed` | a webhook endpoint's URL Retour will not send to; `errors` says why: `https_required` (plain `http://`), `internal_address` (the host is, or resolves to, a loopback, private, link-local — cloud metadata included —, multicast or reserved address, IPv4-mapped IPv6 too) |
| other | `http_error` | any other HTTP error raised by the framework, with its status |

Serial and lot numbers: an order line may carry `serial_numbers` (one per unit sold, kept in
capitals) and a `lot_number`; `POST /returns/{number}/receive` takes the `serial_numbers` scanned
on each line's units and their `lot_number`. A serial not sold on the line (`not_sold`), already
received in a return of the store (`already_received`), or a unit without serial on a line sold
with serials (`missing`) is not refused: it is flagged on the line's `units` (`flagged`, with the
serials `expected`, the order line it was `sold_on`, the `earlier_return`), counted in
`serial_flags`, and listed under `serial_flags` in the `received` event's data. Staff decide at
inspection.

A refund to the original payment that the provider refuses is not an error of the request: the
refund answers 201 `pending` and later reads `failed` (`failed_at` set) with the provider's reason
in `failure_reason`, prefixed by a code such as `provider_refused`, `provider_unavailable`,
`provider_not_configured`, `provider_error` (keys and tokens masked); staff also see it on the
return in the workspace and in the admin.

Per-field codes in `errors` of a 422 `validation_error`, beyond the schema's own (`missing`,
`int_parsing`, …): `json_invalid`, `invalid_cursor`, `string_too_long` (the `Idempotency-Key`
header), `null_character` (a NUL in any text, path or query parameter: `loc` is the field,
`["path"]` or `["query", name]`); orders: `date_out_of_range` (order and delivery dates between
2000-01-01 and 2098-12-31), `amount_too_large` (a line's `unit_price × quantity` or the order's
total above 999999999, so that no refund or credit can overflow), `invalid_email`, `invalid_country`, `invalid_currency`, `discount_exceeds_price`,
`delivered_exceeds_quantity`, `duplicate_ref`, `currency_mismatch` (an order's currency cannot
change), `below_units_in_returns` (a line's quantity below the units live returns hold),
`line_in_return` (a line that a return refers to cannot be removed), `invalid_serial_number` and
`invalid_lot_number` (1-64 letters, digits or `. _ / -`, starting with a letter or a digit),
`duplicate_serial_number` (a serial twice in a line or the order; on receiving, scanned twice),
`serial_numbers_exceed_quantity` (more serials than units); policy: `null_not_allowed`,
`unknown_field`, `invalid_value`; actions: `unknown_line`, `invalid_quantity`, `invalid_value`,
`unknown_location`; shop connectors: `invalid_value` (not a NAME.myshopify.com shop), `invalid_url`
(not an https:// site for WooCommerce or PrestaShop), `internal_address` (the site is, or resolves to, an
address of the server's own networks; `RETOUR_SHOPS_ALLOW_PRIVATE` allows it), `missing` (a secret the first `PUT` needs); consumer-law calculator: `missing`, `invalid_date`, `invalid_boolean`,
`negative_amount`; webhook endpoints: `invalid_url`, `unknown_event_type`, `too_many_endpoints`
(and `https_required`, `internal_address` under `webhook_url_not_allowed`).
"""


class RetourAPI(NinjaAPI):
    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: Any = None) -> Any:
        """Ninja's document, plus the problem+json error answers of every operation."""
        return document_errors(super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params))

    def _get_urls(self) -> list[Any]:
        patterns = super()._get_urls()
        for pattern in patterns:
            callback = getattr(pattern, "callback", None)
            if callback is not None:
                pattern.callback = problem_for_method_not_allowed(callback)
        return patterns


api = RetourAPI(
    title="Retour API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=ApiKeyAuth(),
    renderer=OrjsonRenderer(),
)
install_exception_handlers(api)


def _mount_routers() -> None:
    from retour.catalog.api import router as catalog_router
    from retour.integrations.shops.api import router as connectors_router
    from retour.integrations.storefront.api import router as portal_links_router
    from retour.integrations.webhooks.api import router as webhooks_router
    from retour.legal.api import router as legal_router
    from retour.orders.api import router as orders_router
    from retour.policies.api import router as policies_router
    from retour.resolutions.api import router as resolutions_router
    from retour.returns.api import returnability_router
    from retour.returns.api import router as returns_router

    api.add_router("/orders", orders_router)
    api.add_router("/returns", returns_router)
    api.add_router("", policies_router)
    api.add_router("", returnability_router)
    api.add_router("", catalog_router)
    api.add_router("", resolutions_router)
    api.add_router("/legal/", legal_router)
    api.add_router("/webhook-endpoints", webhooks_router)
    api.add_router("/portal-links", portal_links_router)
    api.add_router("/connectors", connectors_router)


_mount_routers()
