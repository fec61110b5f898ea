from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboundConfig(AppConfig):
    name = "retour.integrations.inbound"
    label = "inbound"
    verbose_name = _("Inbound email")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # django-anymail hands over verified inbound emails only through its ``inbound`` signal;
        # the receiver does nothing but call the service (house rule 4: no behaviour in signals).
        from anymail.signals import inbound

        from retour.integrations.inbound.services import on_anymail_inbound

        inbound.connect(on_anymail_inbound, dispatch_uid="retour.inbound")
