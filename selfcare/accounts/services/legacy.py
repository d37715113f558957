"""Import of TRE heritage accounts with their password hashes (SPEC F-REG-5).

TRE heritage employees and referents keep the credentials of the old portal: the file exported
from it (format in docs/legacy-accounts.md) is read row by row; each valid row becomes a user whose
password field holds the old hash, mapped to the name of the hasher that reads it
(selfcare/accounts/hashers.py). At the user's next successful login Django re-hashes the password
with argon2id and the old hash is gone.
"""

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from selfcare.accounts.models import User
from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Role
from selfcare.core.validators import clean_phone_number
from selfcare.customers.models import Company, Heritage
from selfcare.lines.models import Line

COLUMNS = (
    "username",
    "number",
    "role",
    "tre_customer_code",
    "email",
    "first_name",
    "last_name",
    "password_hash",
    "security_question",
    "security_answer_hash",
)
REQUIRED_COLUMNS = ("number", "role", "password_hash")
ROLES = {
    "employee": Role.EMPLOYEE,
    "dipendente": Role.EMPLOYEE,
    "referent": Role.REFERENT,
    "referente": Role.REFERENT,
}
# Longest value a hash column may hold once mapped (User.password and security_answer_hash).
MAX_STORED_HASH = 128

# Each accepted legacy layout: (name, pattern, how it is stored). Anything else is refused.
_HASH_FORMATS: tuple[tuple[str, re.Pattern, Callable[[re.Match], str]], ...] = (
    (
        "bcrypt",
        re.compile(r"\$2[aby]\$(?:0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}"),
        lambda m: f"legacy_bcrypt${m.group(0)}",
    ),
    (
        "sha1",
        re.compile(r"sha1\$([^$\s]{1,64})\$([0-9a-fA-F]{40})"),
        lambda m: f"legacy_sha1${m.group(1)}${m.group(2).lower()}",
    ),
    (
        "md5",
        re.compile(r"(?:md5\$\$)?([0-9a-fA-F]{32})"),
        lambda m: f"legacy_md5$${m.group(1).lower()}",
    ),
    (
        "pbkdf2_sha256",
        re.compile(r"pbkdf2_sha256\$[1-9][0-9]{3,7}\$[A-Za-z0-9]{1,64}\$[A-Za-z0-9+/]{43}="),
        lambda m: m.group(0),
    ),
)


@dataclass
class RowError:
    row: int
    code: str
    message: str


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do), row by row."""

    dry_run: bool
    created: list[tuple[int, str]] = field(default_factory=list)  # (row, username)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (row, username) already imported
    errors: list[RowError] = field(default_factory=list)


class _AlreadyImported(Exception):
    def __init__(self, username: str):
        self.username = username


def legacy_hash_map(value: str) -> tuple[str, str]:
    """Return (format name, stored hash) for a hash of the old portal; refuse any other format.

    The refusal never repeats the value: it is a credential.
    """
    value = (value or "").strip()
    for name, pattern, stored in _HASH_FORMATS:
        match = pattern.fullmatch(value)
        if match:
            encoded = stored(match)
            if len(encoded) <= MAX_STORED_HASH:
                return name, encoded
    raise ApplicationError(
        _(
            "Unknown password hash format. Accepted: bcrypt ($2a$, $2b$, $2y$), sha1$salt$hex, "
            "unsalted MD5 (32 hex digits), pbkdf2_sha256$iterations$salt$hash."
        ),
        code="hash_unknown",
    )


def _sniff_delimiter(stream: TextIO) -> str:
    header = stream.readline()
    stream.seek(0)
    return ";" if header.count(";") > header.count(",") else ","


def _read_header(reader) -> list[str]:
    try:
        header = [name.strip().lower() for name in next(reader)]
    except StopIteration:
        raise ApplicationError(_("The file is empty."), code="empty") from None
    unknown = [name for name in header if name not in COLUMNS]
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if unknown or missing or len(set(header)) != len(header):
        raise ApplicationError(
            _("The header must name the columns %(columns)s (at least %(required)s), each once.")
            % {"columns": ", ".join(COLUMNS), "required": ", ".join(REQUIRED_COLUMNS)},
            code="columns",
        )
    return header


def _employee_line(number: str) -> Line:
    line = Line.objects.select_related("company").filter(number=number).first()
    if line is None:
        raise ApplicationError(_("No line has this number."), code="line_unknown")
    if line.kind != Line.Kind.MOBILE or line.status != Line.Status.ACTIVE:
        raise ApplicationError(_("The line is not an active mobile line."), code="line_not_active")
    if line.company.heritage != Heritage.TRE:
        raise ApplicationError(_("The line does not belong to a TRE heritage company."), code="line_not_tre")
    return line


def _build_user(values: dict[str, str]) -> tuple[User, str]:
    """Validate one row; return the unsaved user and the name of its hash format."""
    role = ROLES.get(values["role"].lower())
    if role is None:
        raise ApplicationError(_("The role must be employee or referent."), code="role")
    try:
        number = clean_phone_number(values["number"], mobile=True)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="number") from None
    customer_code = values["tre_customer_code"]
    line = None
    if role == Role.EMPLOYEE:
        line = _employee_line(number)
        company = line.company
        username = number.removeprefix("+39")  # an employee logs in with his number
        if values["username"] and values["username"] not in (username, number):
            raise ApplicationError(_("An employee's username is the number of his line."), code="username")
        if customer_code and customer_code != company.tre_customer_code:
            raise ApplicationError(
                _("The TRE customer code is not the one of the line's company."), code="customer_code"
            )
    else:
        if not customer_code:
            raise ApplicationError(_("A referent needs the TRE customer code."), code="customer_code")
        company = Company.objects.filter(tre_customer_code=customer_code, heritage=Heritage.TRE).first()
        if company is None:
            raise ApplicationError(_("No TRE heritage company has this customer code."), code="customer_code")
        username = values["username"]
        if not username:
            raise ApplicationError(_("A referent needs a username."), code="username")
        try:
            User._meta.get_field("username").run_validators(username)
        except ValidationError as exc:
            raise ApplicationError(" ".join(exc.messages), code="username") from None
    email = values["email"].lower()
    if email:
        try:
            EmailValidator()(email)
        except ValidationError:
            raise ApplicationError(_("The email address is not valid."), code="email") from None
    elif role == Role.REFERENT:
        raise ApplicationError(_("A referent needs an email address."), code="email")
    hash_format, password = legacy_hash_map(values["password_hash"])
    question, answer_hash = values["security_question"], values["security_answer_hash"]
    if bool(question) != bool(answer_hash):
        raise ApplicationError(
            _("The security question and the hash of its answer go together: give both or neither."),
            code="security_question",
        )
    if len(question) > User._meta.get_field("security_question").max_length:
        raise ApplicationError(_("The security question is too long."), code="security_question")
    if answer_hash:
        try:
            answer_hash = legacy_hash_map(answer_hash)[1]
        except ApplicationError as exc:
            exc.code = "answer_hash_unknown"
            raise
    user = User(
        username=username,
        role=role,
        company=company,
        line=line,
        mobile=number,
        email=email,
        first_name=values["first_name"][:150],
        last_name=values["last_name"][:150],
        password=password,
        security_question=question,
        security_answer_hash=answer_hash,
    )
    return user, hash_format


def _check_not_present(user: User) -> None:
    """Skip an account this import already made; refuse one that clashes with another account."""
    existing = User.objects.filter(username=user.username).first()
    if existing is not None:
        same = (existing.role, existing.company_id, existing.line_id) == (user.role, user.company_id, user.line_id)
        if same:
            raise _AlreadyImported(existing.username)
        raise ApplicationError(_("The username belongs to another account."), code="username_taken")
    if user.line_id and User.objects.filter(role=Role.EMPLOYEE, line_id=user.line_id).exists():
        raise ApplicationError(_("The line already has an account."), code="line_registered")


def legacy_users_import(*, stream: TextIO, dry_run: bool = False) -> ImportReport:
    """Import the accounts of the old TRE portal from a CSV file (docs/legacy-accounts.md).

    Every row is checked and saved in its own savepoint: a bad row is reported with its line
    number and reason and the others go on. An account already imported is skipped and left as it
    is (its hash may already be argon2, or its password changed), so importing the same file again
    adds nothing. A dry run does everything, then rolls the whole import back.
    Raises ApplicationError when the file itself cannot be read (no rows are imported then).
    """
    report = ImportReport(dry_run=dry_run)
    reader = csv.reader(stream, delimiter=_sniff_delimiter(stream))
    header = _read_header(reader)
    seen: dict[str, int] = {}
    with transaction.atomic():
        for cells in reader:
            row = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            try:
                if len(cells) > len(header):
                    raise ApplicationError(_("The row has more fields than the header."), code="fields")
                values = dict.fromkeys(COLUMNS, "")
                values.update({name: cell.strip() for name, cell in zip(header, cells, strict=False)})
                user, hash_format = _build_user(values)
                if user.username in seen:
                    raise ApplicationError(
                        _("The same account is already in row %(row)d.") % {"row": seen[user.username]},
                        code="duplicate",
                    )
                seen[user.username] = row
                _check_not_present(user)
                with transaction.atomic():
                    user.save()
                    AuditEvent.objects.create(
                        company=user.company,
                        action="legacy_account_imported",
                        object_type="user",
                        object_id=str(user.pk),
                        detail={"row": row, "role": user.role, "hash_format": hash_format},
                    )
            except _AlreadyImported as skip:
                report.skipped.append((row, skip.username))
            except ApplicationError as exc:
                report.errors.append(RowError(row=row, code=exc.code, message=str(exc.message)))
            except IntegrityError:
                # Registered or imported by someone else between the checks and the save.
                report.errors.append(
                    RowError(row=row, code="conflict", message=_("The account clashes with an existing one."))
                )
            else:
                report.created.append((row, user.username))
        if dry_run:
            transaction.set_rollback(True)
    return report
