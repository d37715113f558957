import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import override_settings


def test_collectstatic_with_the_production_storage(tmp_path):
    """Every file the vendored CSS/JS references exists, so the manifest storage can be built."""
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())
    assert "vendor/bootstrap/css/bootstrap.min.css" in manifest["paths"]
    assert "vendor/htmx-org/htmx.min.js" in manifest["paths"]


def test_vendored_libraries_have_versions_and_licences():
    vendor = Path(settings.BASE_DIR) / "static/vendor"
    versions = json.loads((vendor / "VERSIONS.json").read_text())
    assert set(versions) == {"bootstrap", "bootstrap-icons", "htmx.org", "chart.js"}
    for name in versions:
        folder = vendor / name.replace(".", "-")
        assert list(folder.glob("LICENSE*")), f"{name} has no licence file"
