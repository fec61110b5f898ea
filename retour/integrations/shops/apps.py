from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopsConfig(AppConfig):
    name = "retour.integrations.shops"
    label = "shops"
    verbose_name = _("Shop connectors")
    default_auto_field = "django.db.models.BigAutoField"
