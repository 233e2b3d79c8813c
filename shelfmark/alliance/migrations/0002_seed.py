"""Seed Liaoning's administrative divisions and the first scorecard indicators."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from shelfmark.alliance.regions_liaoning import CITIES, PROVINCE

INDICATORS = [
    {
        "code": "records_contributed",
        "name": "贡献书目数",
        "name_en": "Records contributed",
        "unit": "条",
        "formula": "本年内由成员馆及其下属馆编目新建的书目记录数（catalog.Record.library 在成员馆子树内，created_at 在本年）。",
        "direction": "higher",
        "target": 500,
        "position": 10,
    },
    {
        "code": "unique_holdings",
        "name": "独有馆藏种数",
        "name_en": "Unique holdings",
        "unit": "种",
        "formula": "年末全网只有该成员馆（含下属馆）有在藏单册的书目种数（剔旧单册不计）。",
        "direction": "higher",
        "target": 100,
        "position": 20,
    },
    {
        "code": "loans_per_reader",
        "name": "注册读者人均借阅量",
        "name_en": "Loans per registered reader",
        "unit": "册次/人",
        "formula": "本年在成员馆子树内的借出次数 ÷ 年末读者所属馆在该子树内的注册读者数。",
        "direction": "higher",
        "target": 2,
        "position": 30,
    },
    {
        "code": "ill_requests_filled",
        "name": "馆际互借满足请求数",
        "name_en": "ILL requests filled",
        "unit": "笔",
        "formula": "本年成员馆作为出借馆已寄出并被借入馆收到的馆际互借请求数。",
        "direction": "higher",
        "target": 50,
        "position": 40,
    },
    {
        "code": "ill_fill_rate",
        "name": "馆际互借满足率",
        "name_en": "ILL fill rate",
        "unit": "%",
        "formula": "本年向成员馆提出的馆际互借请求中已满足（收到）的百分比。",
        "direction": "higher",
        "target": 80,
        "position": 50,
    },
    {
        "code": "ill_median_turnaround",
        "name": "馆际互借周转时间中位数",
        "name_en": "ILL median turnaround",
        "unit": "天",
        "formula": "本年成员馆出借并被收到的请求，从提出到收到的天数中位数。",
        "direction": "lower",
        "target": 7,
        "position": 60,
    },
]


def seed(apps: Any, schema_editor: Any) -> None:
    region_model = apps.get_model("alliance", "Region")
    province = region_model.objects.create(code=PROVINCE[0], name=PROVINCE[1], level="province")
    for city_code, city_name, counties in CITIES:
        city = region_model.objects.create(code=city_code, name=city_name, level="city", parent=province)
        region_model.objects.bulk_create(
            region_model(code=code, name=name, level="county", parent=city) for code, name in counties
        )
    indicator_model = apps.get_model("alliance", "Indicator")
    indicator_model.objects.bulk_create(indicator_model(**values) for values in INDICATORS)


def unseed(apps: Any, schema_editor: Any) -> None:
    apps.get_model("alliance", "Indicator").objects.filter(code__in=[i["code"] for i in INDICATORS]).delete()
    region_model = apps.get_model("alliance", "Region")
    region_model.objects.filter(level="county").delete()
    region_model.objects.filter(level="city").delete()
    region_model.objects.filter(level="province").delete()


class Migration(migrations.Migration):
    dependencies = [("alliance", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
