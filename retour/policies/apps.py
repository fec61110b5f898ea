from django.apps import AppConfig


class PoliciesConfig(AppConfig):
    name = "retour.policies"
    label = "policies"
