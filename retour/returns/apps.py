from django.apps import AppConfig


class ReturnsConfig(AppConfig):
    name = "retour.returns"
    label = "returns"
