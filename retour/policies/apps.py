from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "retour.policies"
    label = "policies"
    verbose_name = _("return policies")

    def ready(self) -> None:
        from retour.policies.catalogue import connect_signals

        connect_signals()
