from django.apps import AppConfig


class ResolutionsConfig(AppConfig):
    name = "retour.resolutions"
    label = "resolutions"
