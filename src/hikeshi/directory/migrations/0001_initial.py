"""The contacts move from the incidents app: the models join this app, the tables stay.

Only the migration state changes (the tables keep their names, set in each model's
``db_table``); incidents' 0007_contacts_to_directory then drops the models from its own
state. The content types move along, so admin permissions and log entries keep pointing at
the contacts.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ("deploymentcontact", "incidentcontact")


def _move_content_types(apps, schema_editor, source, target):
    content_type = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    for model in MOVED:
        if content_type.objects.using(db).filter(app_label=target, model=model).exists():
            continue
        content_type.objects.using(db).filter(app_label=source, model=model).update(
            app_label=target
        )
    content_type.objects.clear_cache()


def forwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, "incidents", "directory")


def backwards(apps, schema_editor):
    _move_content_types(apps, schema_editor, "directory", "incidents")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('incidents', '0006_action_kind_choices'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='DeploymentContact',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('internal_staff', 'Internal system staff'), ('system_vendor', 'System vendor / maintenance'), ('insurer', 'Cyber insurer'), ('lawyer', 'Lawyer'), ('local_police', 'Local police station'), ('other', 'Other')], max_length=20, verbose_name='kind')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('organisation', models.CharField(blank=True, max_length=200, verbose_name='organisation')),
                        ('phone', models.CharField(blank=True, max_length=50, verbose_name='phone')),
                        ('email', models.EmailField(blank=True, max_length=254, verbose_name='e-mail')),
                        ('url', models.URLField(blank=True, verbose_name='web page')),
                        ('note', models.TextField(blank=True, verbose_name='when to contact them')),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('created_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'incidents_deploymentcontact',
                        'ordering': ['kind', 'name'],
                    },
                ),
                migrations.CreateModel(
                    name='IncidentContact',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('guidance_contact', models.CharField(blank=True, max_length=80)),
                        ('reason', models.TextField(blank=True, verbose_name='why')),
                        ('added_at', models.DateTimeField(auto_now_add=True)),
                        ('added_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to=settings.AUTH_USER_MODEL)),
                        ('deployment_contact', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, to='directory.deploymentcontact')),
                        ('incident', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='contacts', to='incidents.incident')),
                    ],
                    options={
                        'db_table': 'incidents_incidentcontact',
                        'ordering': ['added_at', 'pk'],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('deployment_contact__isnull', False), ('guidance_contact', '')), models.Q(models.Q(('guidance_contact', ''), _negated=True), ('deployment_contact__isnull', True)), _connector='OR'), name='incident_contact_has_one_source')],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
