"""The one NinjaAPI of Retour: REST API v1 (contract: docs/api-v1.md)."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI

from retour.core.api import ApiKeyAuth, install_exception_handlers, problem_for_method_not_allowed


class RetourAPI(NinjaAPI):
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
    description="Returns management: orders, returns, refunds, policy, stock and consumer law.",
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    auth=ApiKeyAuth(),
)
install_exception_handlers(api)


def _mount_routers() -> None:
    from retour.catalog.api import router as catalog_router
    from retour.legal.api import router as legal_router
    from retour.orders.api import router as orders_router
    from retour.policies.api import router as policies_router
    from retour.resolutions.api import router as resolutions_router
    from retour.returns.api import router as returns_router

    api.add_router("/orders", orders_router)
    api.add_router("/returns", returns_router)
    api.add_router("", policies_router)
    api.add_router("", catalog_router)
    api.add_router("", resolutions_router)
    api.add_router("/legal/", legal_router)


_mount_routers()
