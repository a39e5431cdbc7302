import django.db.models.deletion
from django.db import migrations, models


def office_from_village(apps, schema_editor):
    """Requests registered before offices existed belong to their village's kecamatan."""
    instance_model = apps.get_model("workflow", "ProcessInstance")
    village_model = apps.get_model("directory", "Village")
    for village_id, office_id in village_model.objects.values_list("id", "office_id"):
        instance_model.objects.filter(applicant_village_id=village_id).update(office_id=office_id)


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0002_offices"),
        ("workflow", "0011_command_path"),
    ]

    operations = [
        migrations.AddField(
            model_name="processinstance",
            name="office",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.office",
                verbose_name="kecamatan",
            ),
        ),
        migrations.RunPython(office_from_village, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="processinstance",
            name="office",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="directory.office",
                verbose_name="kecamatan",
            ),
        ),
        migrations.AddIndex(
            model_name="processinstance",
            index=models.Index(fields=["office", "status", "created_at"], name="instance_office_status"),
        ),
    ]
