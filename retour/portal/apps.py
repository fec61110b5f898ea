from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "retour.portal"
    label = "portal"
