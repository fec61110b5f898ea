from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StoresConfig(AppConfig):
    name = "retour.stores"
    label = "stores"
    verbose_name = _("stores")
