from django.apps import AppConfig


class StoresConfig(AppConfig):
    name = "retour.stores"
    label = "stores"
