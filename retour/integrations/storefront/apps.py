from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StorefrontConfig(AppConfig):
    name = "retour.integrations.storefront"
    label = "storefront"
    verbose_name = _("Shop pages")
    default_auto_field = "django.db.models.BigAutoField"
