from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path, re_path

from retour.config.api import api
from retour.core.api import api_not_found
from retour.core.views import healthz
from retour.integrations.shops.views import shop_webhook
from retour.integrations.storefront import views as storefront
from retour.resolutions.payments.views import payment_webhook
from retour.returns.views import media_for_staff

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("hooks/payments/<str:provider>/<slug:store>", payment_webhook, name="payment-webhook"),
    # Orders from the shops, signed with the connector's webhook secret.
    path("hooks/shopify/<slug:store>", shop_webhook, {"platform": "shopify"}, name="shopify-webhook"),
    path(
        "hooks/woocommerce/<slug:store>",
        shop_webhook,
        {"platform": "woocommerce"},
        name="woocommerce-webhook",
    ),
    re_path(r"^api/", api_not_found),  # problem+json 404 for any other API path
    path("admin/", admin.site.urls),
    path("media/<path:path>", media_for_staff, name="media"),
    # For the shop's own pages: public, cacheable, no login.
    path("public/embed.js", storefront.embed_js, name="embed_js"),
    path("public/<slug:store>/returnability", storefront.returnability, name="returnability"),
    # Replies to Retour's emails, from the ESP (signature or basic auth checked by django-anymail).
    path("hooks/email/", include("retour.integrations.inbound.urls")),
]
# Shopper pages in the shopper's language: /en/portal/…, /fr/portal/…; /portal/… redirects by Accept-Language.
urlpatterns += i18n_patterns(path("portal/", include("retour.portal.urls")))
# Staff workspace in the reader's language: /en/staff/…, /fr/staff/….
urlpatterns += i18n_patterns(path("staff/", include("retour.backoffice.urls")))
