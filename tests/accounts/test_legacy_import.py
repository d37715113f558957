"""Import of TRE heritage accounts with their old password hashes (SPEC F-REG-5)."""

import hashlib
import io

import bcrypt
import pytest
from django.conf import settings as django_settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import PBKDF2PasswordHasher, check_password
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.shortcuts import resolve_url
from django.utils import translation

from config.settings import PASSWORD_HASHERS as PRODUCT_PASSWORD_HASHERS
from selfcare.accounts.models import User
from selfcare.accounts.services.legacy import legacy_hash_map, legacy_users_import
from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Role
from selfcare.customers.models import Heritage
from selfcare.lines.models import Line
from tests.factories import CompanyFactory, LineFactory, UserFactory

PASSWORD = "Tre-Vecchia-Password-7"
CUSTOMER_CODE = "3B00418293"
HEADER = (
    "username,number,role,tre_customer_code,email,first_name,last_name,password_hash,"
    "security_question,security_answer_hash\n"
)


def bcrypt_hash(password: str, prefix: str = "2b") -> str:
    encoded = bcrypt.hashpw(password.encode()[:72], bcrypt.gensalt(4)).decode()
    return f"${prefix}$" + encoded.split("$", 2)[2]


def sha1_hash(password: str, salt: str = "q8Zr1T") -> str:
    return f"sha1${salt}${hashlib.sha1((salt + password).encode()).hexdigest()}"  # noqa: S324


def md5_hash(password: str) -> str:
    return hashlib.md5(password.encode()).hexdigest()  # noqa: S324


def pbkdf2_hash(password: str) -> str:
    return PBKDF2PasswordHasher().encode(password, "legacysalt123", iterations=1000)


# (format, how the legacy portal wrote the hash, what the stored hash starts with)
FORMATS = [
    ("bcrypt 2b", lambda p: bcrypt_hash(p, "2b"), "legacy_bcrypt$$2b$"),
    ("bcrypt 2a", lambda p: bcrypt_hash(p, "2a"), "legacy_bcrypt$$2a$"),
    ("bcrypt 2y", lambda p: bcrypt_hash(p, "2y"), "legacy_bcrypt$$2y$"),
    ("salted sha1", sha1_hash, "legacy_sha1$q8Zr1T$"),
    ("unsalted md5", md5_hash, "legacy_md5$$"),
    ("unsalted md5, upper case", lambda p: md5_hash(p).upper(), "legacy_md5$$"),
    ("pbkdf2", pbkdf2_hash, "pbkdf2_sha256$1000$"),
]


@pytest.fixture(autouse=True)
def product_hashers(settings):
    """The product's hashers, argon2id first (the test settings put a fast MD5 first)."""
    settings.PASSWORD_HASHERS = PRODUCT_PASSWORD_HASHERS
    cache.clear()
    with translation.override("en"):
        yield


@pytest.fixture
def tre(db):
    return CompanyFactory(heritage=Heritage.TRE, tre_customer_code=CUSTOMER_CODE)


@pytest.fixture
def tre_line(tre):
    return LineFactory(company=tre, number="+393401230001")


def csv_row(
    *,
    number="3401230001",
    role="employee",
    username="",
    code="",
    email="",
    password_hash="",
    question="",
    answer_hash="",
) -> str:
    return f"{username},{number},{role},{code},{email},Maria,Esposito,{password_hash},{question},{answer_hash}\n"


def run_import(text: str, *, dry_run: bool = False):
    return legacy_users_import(stream=io.StringIO(text), dry_run=dry_run)


def is_product_argon2(encoded: str) -> bool:
    return encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.parametrize(("name", "make_hash", "stored_prefix"), FORMATS, ids=[f[0] for f in FORMATS])
def test_each_format_imports_logs_in_and_becomes_argon2(tre_line, name, make_hash, stored_prefix):
    report = run_import(HEADER + csv_row(password_hash=make_hash(PASSWORD)))
    assert report.errors == [] and report.created == [(2, "3401230001")]
    user = User.objects.get(username="3401230001")
    assert (user.role, user.line, user.company, user.mobile) == (
        Role.EMPLOYEE,
        tre_line,
        tre_line.company,
        "+393401230001",
    )
    assert user.password.startswith(stored_prefix)

    assert authenticate(username="3401230001", password=PASSWORD) == user
    user.refresh_from_db()
    assert is_product_argon2(user.password)
    assert authenticate(username="3401230001", password=PASSWORD) == user  # the new hash works too


@pytest.mark.parametrize(("name", "make_hash", "stored_prefix"), FORMATS, ids=[f[0] for f in FORMATS])
def test_wrong_password_fails_and_leaves_the_hash(tre_line, name, make_hash, stored_prefix):
    run_import(HEADER + csv_row(password_hash=make_hash(PASSWORD)))
    imported = User.objects.get(username="3401230001").password
    assert authenticate(username="3401230001", password=PASSWORD.lower()) is None
    assert authenticate(username="3401230001", password="") is None
    assert User.objects.get(username="3401230001").password == imported


def test_login_page_upgrades_the_hash(client, tre_line):
    """Through the login URL the project is configured with, whatever view serves it."""
    run_import(HEADER + csv_row(password_hash=bcrypt_hash(PASSWORD, "2y")))
    url = resolve_url(django_settings.LOGIN_URL)
    imported = User.objects.get(username="3401230001").password

    # "login" is the field name django-allauth uses, "username" Django's own form.
    wrong = client.post(url, {"username": "3401230001", "login": "3401230001", "password": "not-this-one"})
    assert wrong.status_code == 200 and "_auth_user_id" not in client.session
    assert User.objects.get(username="3401230001").password == imported

    right = client.post(url, {"username": "3401230001", "login": "3401230001", "password": PASSWORD})
    assert right.status_code == 302
    user = User.objects.get(username="3401230001")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert is_product_argon2(user.password)


def test_bcrypt_reads_only_the_first_72_bytes_as_the_old_portal_did(tre_line):
    long_password = "Una frase molto lunga " * 4  # 88 bytes
    run_import(HEADER + csv_row(password_hash=bcrypt_hash(long_password)))
    assert authenticate(username="3401230001", password=long_password) is not None
    assert is_product_argon2(User.objects.get(username="3401230001").password)


def test_referent_with_security_question(tre):
    answer_hash = md5_hash("napoli")
    row = csv_row(
        username="caruso.referente",
        number="+39 347 555 0001",
        role="referent",
        code=CUSTOMER_CODE,
        email="Referente@StudioCaruso.it",
        password_hash=sha1_hash(PASSWORD),
        question="Città di nascita?",
        answer_hash=answer_hash,
    )
    report = run_import(HEADER + row)
    assert report.errors == []
    user = User.objects.get(username="caruso.referente")
    assert (user.role, user.company, user.line, user.mobile) == (Role.REFERENT, tre, None, "+393475550001")
    assert user.email == "referente@studiocaruso.it"
    assert user.security_question == "Città di nascita?"
    assert check_password("napoli", user.security_answer_hash) and not check_password("roma", user.security_answer_hash)
    assert not user.must_change_password
    assert authenticate(username="caruso.referente", password=PASSWORD) == user
    event = AuditEvent.objects.get(action="legacy_account_imported")
    assert (event.company, event.object_id, event.detail["hash_format"]) == (tre, str(user.pk), "sha1")


def test_bad_rows_are_reported_by_row_and_the_others_imported(tre, tre_line):
    ceased = LineFactory(company=tre, number="+393401230002", status=Line.Status.CEASED)
    windtre_line = LineFactory(number="+393401230003")  # a WINDTRE company's line
    LineFactory(company=tre, number="+393401230004")
    LineFactory(company=tre, number="+393401230005")
    good = md5_hash(PASSWORD)
    text = HEADER + "".join(
        [
            csv_row(number="3401230001", password_hash=good),  # row 2: fine
            csv_row(number="3409999999", password_hash=good),  # 3: no such line
            csv_row(number=ceased.number, password_hash=good),  # 4: ceased
            csv_row(number=windtre_line.number, password_hash=good),  # 5: not TRE heritage
            csv_row(number="3401230004", password_hash="Password123"),  # 6: a plain-text password
            csv_row(number="3401230004", role="manager", password_hash=good),  # 7: role
            "\n",  # 8: blank lines are ignored
            csv_row(number="abc", password_hash=good),  # 9: not a number
            csv_row(role="referent", username="ref", code="3BXXXXXXXX", email="r@example.it", password_hash=good),  # 10
            csv_row(number="3401230004", password_hash=good, question="Colore?"),  # 11: question without answer
            csv_row(number="3401230001", password_hash=good),  # 12: same account as row 2
            csv_row(number="3401230004", username="mario", password_hash=good),  # 13: employee's username
            csv_row(number="3401230004", code="3B99999999", password_hash=good),  # 14: another company's code
            csv_row(number="3401230004", password_hash=good, question="Colore?", answer_hash="blu"),  # 15
            csv_row(role="referent", username="ref2", code=CUSTOMER_CODE, password_hash=good),  # 16: no email
            csv_row(number="3401230005", password_hash=sha1_hash(PASSWORD)),  # 17: fine, after the bad ones
            csv_row(number="3401230004", password_hash=good).rstrip() + ",extra\n",  # 18: too many fields
        ]
    )
    report = run_import(text)
    assert [(e.row, e.code) for e in report.errors] == [
        (3, "line_unknown"),
        (4, "line_not_active"),
        (5, "line_not_tre"),
        (6, "hash_unknown"),
        (7, "role"),
        (9, "number"),
        (10, "customer_code"),
        (11, "security_question"),
        (12, "duplicate"),
        (13, "username"),
        (14, "customer_code"),
        (15, "answer_hash_unknown"),
        (16, "email"),
        (18, "fields"),
    ]
    assert "row 2" in report.errors[8].message
    assert all(e.message for e in report.errors)
    assert report.created == [(2, "3401230001"), (17, "3401230005")]
    assert set(User.objects.values_list("username", flat=True)) == {"3401230001", "3401230005"}
    assert AuditEvent.objects.filter(action="legacy_account_imported").count() == 2


@pytest.mark.parametrize(
    "value",
    [
        "Password123",  # plain text
        "",
        "$1$saltsalt$qjXMvbEw8oaL.CzflDugX/",  # md5crypt
        "$2x$10$" + "a" * 53,  # bcrypt's buggy 2x variant
        "$2b$10$" + "a" * 52,  # truncated bcrypt
        "{SSHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=",
        "sha1$$" + "a" * 40,  # unsalted sha1 in the salted layout
        "sha1$salt$" + "a" * 39,
        "a" * 31,
        "g" * 32,
        "argon2$argon2id$v=19$m=102400,t=2,p=8$c2FsdA$aGFzaA",
        "pbkdf2_sha256$100$salt$" + "A" * 43 + "=",  # fewer iterations than any real portal used
    ],
)
def test_unknown_hash_formats_are_refused(value):
    with pytest.raises(ApplicationError) as refused:
        legacy_hash_map(value)
    assert refused.value.code == "hash_unknown"
    if value:
        assert value not in refused.value.message  # a credential is never echoed


def test_a_second_import_adds_nothing_and_keeps_the_upgraded_hash(tre, tre_line):
    text = (
        HEADER
        + csv_row(password_hash=md5_hash(PASSWORD))
        + csv_row(
            role="referent",
            username="ref.tre",
            code=CUSTOMER_CODE,
            email="r@example.it",
            password_hash=md5_hash(PASSWORD),
        )
    )
    first = run_import(text)
    assert len(first.created) == 2
    assert authenticate(username="3401230001", password=PASSWORD) is not None  # hash now argon2
    upgraded = User.objects.get(username="3401230001").password

    second = run_import(text)
    assert second.created == [] and second.errors == []
    assert second.skipped == [(2, "3401230001"), (3, "ref.tre")]
    assert User.objects.count() == 2
    assert AuditEvent.objects.filter(action="legacy_account_imported").count() == 2
    assert User.objects.get(username="3401230001").password == upgraded


def test_a_username_of_another_account_is_refused(tre):
    UserFactory(username="ref.tre")  # a WINDTRE company's manager
    report = run_import(
        HEADER
        + csv_row(
            role="referent", username="ref.tre", code=CUSTOMER_CODE, email="r@example.it", password_hash=md5_hash("x")
        )
    )
    assert [(e.row, e.code) for e in report.errors] == [(2, "username_taken")]
    assert User.objects.get(username="ref.tre").company != tre


def test_dry_run_writes_nothing(tre_line):
    before = (User.objects.count(), AuditEvent.objects.count())
    report = run_import(
        HEADER + csv_row(password_hash=md5_hash(PASSWORD)) + csv_row(number="1", password_hash="x"), dry_run=True
    )
    assert report.dry_run and report.created == [(2, "3401230001")]
    assert [(e.row, e.code) for e in report.errors] == [(3, "number")]
    assert (User.objects.count(), AuditEvent.objects.count()) == before


def test_the_header_is_checked_before_any_row():
    for text in ["", "number,role\n3401230001,employee\n", "number,role,password_hash,pasword\n"]:
        with pytest.raises(ApplicationError):
            run_import(text)


def test_command_semicolons_bom_summary_and_exit_status(tmp_path, tre, tre_line):
    LineFactory(company=tre, number="+393401230004")
    path = tmp_path / "tre.csv"
    rows = [
        "number;role;password_hash",
        f"340 123 0001;dipendente;{md5_hash(PASSWORD)}",
        "3401230004;employee;not-a-hash",
        f"+393401230004;employee;{bcrypt_hash(PASSWORD)}",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8-sig")  # as spreadsheets save it

    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 row was not imported"):
        call_command("import_legacy_users", str(path), "--dry-run", stdout=out, stderr=err)
    assert "2 accounts would be imported, 0 already present (skipped), 1 rows refused." in out.getvalue()
    assert "Dry run" in out.getvalue()
    assert "row 3: Unknown password hash format" in err.getvalue()
    assert User.objects.count() == 0

    with pytest.raises(CommandError):
        call_command("import_legacy_users", str(path), stdout=out, stderr=io.StringIO())
    assert set(User.objects.values_list("username", flat=True)) == {"3401230001", "3401230004"}

    out = io.StringIO()
    path.write_text("\n".join(rows[:2] + rows[3:]) + "\n", encoding="utf-8")
    call_command("import_legacy_users", str(path), stdout=out)  # no refused row: exit status 0
    assert "0 accounts imported, 2 already present (skipped), 0 rows refused." in out.getvalue()


def test_command_refuses_an_unreadable_file(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_legacy_users", str(tmp_path / "missing.csv"))
    bad = tmp_path / "latin1.csv"
    bad.write_bytes("number,role,password_hash\n3401230001,employee,città\n".encode("latin-1"))
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import_legacy_users", str(bad))
