import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_italian_is_the_default(client):
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert '<html lang="it">' in html
    assert "Accedi alla tua area" in html


def test_switch_to_english_and_back(client):
    login = reverse("accounts:login")
    response = client.post(reverse("set_language"), {"language": "en", "next": login})
    assert response.status_code == 302
    html = client.get(login).content.decode()
    assert '<html lang="en">' in html
    assert "Log in to your business area" in html
    client.post(reverse("set_language"), {"language": "it", "next": login})
    assert '<html lang="it">' in client.get(login).content.decode()


def test_italian_catalogue_is_complete_and_compiled():
    """Every source string has an Italian translation, and the committed .mo matches the .po."""
    from pathlib import Path

    import polib
    from django.conf import settings

    po_path = Path(settings.BASE_DIR) / "locale/it/LC_MESSAGES/django.po"
    po = polib.pofile(str(po_path))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    mo = polib.mofile(str(po_path.with_suffix(".mo")))
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in mo}
    for entry in po.translated_entries():
        assert compiled.get((entry.msgctxt, entry.msgid)) == (entry.msgstr or entry.msgstr_plural), entry.msgid


def test_pages_stay_italian_for_an_english_browser(client):
    html = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="it">' in html


def test_api_honours_accept_language(client):
    response = client.get(reverse("api:me"), HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "en"
    response = client.get(reverse("api:me"))
    assert response["Content-Language"] == "it"
