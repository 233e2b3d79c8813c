"""Start the item barcode counter, so generating a barcode is always one UPDATE of an existing row."""

from django.db import migrations


def create_counter(apps, schema_editor):
    apps.get_model("holdings", "BarcodeCounter").objects.get_or_create(name="item")


class Migration(migrations.Migration):
    dependencies = [("holdings", "0001_initial")]

    operations = [migrations.RunPython(create_counter, migrations.RunPython.noop)]
