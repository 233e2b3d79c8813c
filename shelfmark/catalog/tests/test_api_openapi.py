"""The committed OpenAPI snapshot (docs/api/openapi.json) must equal the live schema.

After an intended API change, refresh the snapshot and commit it with the change:

    .venv/bin/shelfmark export-openapi-schema --api shelfmark.api.api --sorted --indent 2 --output docs/api/openapi.json
"""

from __future__ import annotations

import json
from pathlib import Path

from ninja.responses import NinjaJSONEncoder

from shelfmark.api import api

SNAPSHOT = Path(__file__).resolve().parents[3] / "docs" / "api" / "openapi.json"


def test_the_live_schema_equals_the_committed_snapshot():
    live = json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))

    assert live == json.loads(SNAPSHOT.read_text(encoding="utf-8")), (
        f"refresh {SNAPSHOT.name}: see this test's docstring"
    )


def test_every_catalogue_operation_is_documented_with_its_errors():
    paths = json.loads(SNAPSHOT.read_text(encoding="utf-8"))["paths"]

    assert sorted(path for path in paths if path.startswith("/api/v1/catalog/")) == [
        "/api/v1/catalog/records",
        "/api/v1/catalog/records/{record_id}",
        "/api/v1/catalog/records/{record_id}/marc",
        "/api/v1/catalog/search",
    ]
    assert sorted(paths["/api/v1/catalog/records/{record_id}"]) == ["delete", "get", "put"]
    assert "403" in paths["/api/v1/catalog/records"]["post"]["responses"]
