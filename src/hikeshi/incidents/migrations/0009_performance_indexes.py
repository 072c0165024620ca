"""The incident list is read in its own order, (priority, newest detection, newest id), from
one index: a page walks the index and stops after its rows, instead of sorting every
incident the person sees. It replaces the (priority, detected_at) index, which it covers.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0008_timeline_keyset_indexes"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="incident",
            name="incidents_i_priorit_7df620_idx",
        ),
        migrations.AddIndex(
            model_name="incident",
            index=models.Index(
                fields=["priority", "-detected_at", "-id"], name="incidents_list_order"
            ),
        ),
    ]
