"""Existing stores get the default predefined replies that new stores get from store_create."""

from django.db import migrations


def create_defaults(apps, schema_editor):
    from retour.helpdesk.services import DEFAULT_REPLIES

    Store = apps.get_model("stores", "Store")
    PredefinedReply = apps.get_model("helpdesk", "PredefinedReply")
    for store in Store.objects.all():
        existing = set(PredefinedReply.objects.filter(store=store).values_list("code", flat=True))
        PredefinedReply.objects.bulk_create(
            PredefinedReply(
                store=store, code=code, title_en=t_en, title_fr=t_fr, body_en=b_en, body_fr=b_fr,
                position=(position + 1) * 10,
            )
            for position, (code, (t_en, t_fr), (b_en, b_fr)) in enumerate(DEFAULT_REPLIES)
            if code not in existing
        )


class Migration(migrations.Migration):
    dependencies = [
        ("helpdesk", "0004_message_author_user_predefinedreply"),
        ("stores", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_defaults, migrations.RunPython.noop)]
