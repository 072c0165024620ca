"""The contacts now belong to the directory app (its 0001_initial took over their state).

The tables stay as they are: only this app's migration state forgets the two models.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('incidents', '0006_action_kind_choices'),
        ('directory', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name='IncidentContact'),
                migrations.DeleteModel(name='DeploymentContact'),
            ],
            database_operations=[],
        ),
    ]
