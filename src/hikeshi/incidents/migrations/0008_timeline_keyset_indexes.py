"""Timeline pages are read by keyset, (incident, time, id), from each source's index.

The events' index gains the id; action records get one (they only had (incident,
sequence), so a timeline page sorted every record of the incident).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0007_contacts_to_directory"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="timelineevent",
            index=models.Index(
                fields=["incident", "occurred_at", "id"], name="incidents_event_keyset"
            ),
        ),
        migrations.RemoveIndex(
            model_name="timelineevent",
            name="incidents_t_inciden_8f1f86_idx",
        ),
        migrations.AddIndex(
            model_name="actionrecord",
            index=models.Index(
                fields=["incident", "performed_at", "id"], name="incidents_action_keyset"
            ),
        ),
    ]
