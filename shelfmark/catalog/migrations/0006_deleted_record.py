"""Deleted records kept for harvesters (OAI-PMH deletedRecord=persistent), and an index on records' updated_at
for harvests by date."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0005_search_vocabulary'),
    ]

    operations = [
        migrations.CreateModel(
            name='DeletedRecord',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('record_id', models.BigIntegerField(unique=True)),
                ('control_number', models.CharField(blank=True, max_length=64, verbose_name='控制号')),
                ('marc_format', models.CharField(choices=[('marc21', 'MARC21'), ('cnmarc', 'CNMARC')], max_length=8, verbose_name='MARC 格式')),
                ('resource_type', models.CharField(choices=[('print', '纸本图书'), ('periodical', '连续出版物'), ('microform', '缩微资源'), ('digital', '数字资源'), ('web', '网络资源'), ('ancient', '古籍'), ('audiovisual', '视听资料')], max_length=16, verbose_name='资源类型')),
                ('deleted_at', models.DateTimeField(db_index=True, verbose_name='删除时间')),
            ],
            options={
                'verbose_name': '已删除书目记录',
                'verbose_name_plural': '已删除书目记录',
                'ordering': ['record_id'],
            },
        ),
        migrations.AddIndex(
            model_name='record',
            index=models.Index(fields=['updated_at'], name='catalog_record_updated_at'),
        ),
    ]
