"""User Admin registration (SPEC F-REG-1, WINDTRE and WIND heritage).

The legal representative proves who he is with the data of the signed contract; if everything
matches the customer record, an activation link goes to the contract's email address and the
account is created at first access (services/activation.py).

No enumeration: an unknown P.IVA, a TRE company (whose referent registers another way) and any
mismatched field all get one answer, with the same message and status. Only someone who matched
every field learns more (that the company already has a User Admin).
"""

import datetime
import unicodedata

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.it import codicefiscale

from selfcare.accounts.models import ActivationToken, User
from selfcare.accounts.services import activation
from selfcare.core import ratelimit
from selfcare.core.errors import ApplicationError
from selfcare.core.models import AuditEvent
from selfcare.core.permissions import Role
from selfcare.customers.models import Company, Heritage

TRIES_PER_IP = 10
TRIES_PER_VAT = 5
TRIES_WINDOW = 3600


def normalise_name(value: str) -> str:
    """Names compared ignoring case, accents, apostrophe style and extra spaces (Nicolò = NICOLO')."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    letters = letters.replace("\u2019", "'").replace("`", "'")
    folded = " ".join(letters.casefold().split())
    # An accent typed as an apostrophe on a keyboard without it: "Nicolo'" is "Nicolò".
    return folded.rstrip("'")


def not_matched() -> ApplicationError:
    return ApplicationError(
        _("We could not verify these data against your contract. Check them, or call business support at %(number)s.")
        % {"number": settings.BRAND["support_business"]},
        code="not_matched",
        status=400,
    )


def admin_exists() -> ApplicationError:
    # Specific on purpose: only someone who matched every legal-representative field gets here, so
    # telling him the company already has a User Admin reveals nothing to a stranger.
    return ApplicationError(
        _("This company already has a User Admin. Ask him for access, or call business support at %(number)s.")
        % {"number": settings.BRAND["support_business"]},
        code="admin_exists",
        status=409,
    )


def _matches(
    company: Company,
    *,
    fiscal_code: str,
    first_name: str,
    last_name: str,
    birth_date: datetime.date,
    email: str,
    mobile: str,
) -> bool:
    try:
        coded_birth = codicefiscale.get_birth_date(fiscal_code)
    except StdnumError:
        return False
    checks = (
        normalise_name(first_name) == normalise_name(company.legal_rep_first_name),
        normalise_name(last_name) == normalise_name(company.legal_rep_last_name),
        birth_date == company.legal_rep_birth_date,
        coded_birth == birth_date,
        fiscal_code == company.legal_rep_fiscal_code.upper(),
        email.strip().casefold() == company.legal_rep_email.strip().casefold(),
        mobile == company.legal_rep_mobile,
    )
    return all(checks)


def admin_registration_request(
    *,
    vat_number: str,
    fiscal_code: str,
    first_name: str,
    last_name: str,
    birth_date: datetime.date,
    email: str,
    mobile: str,
    link_builder: activation.LinkBuilder,
    ip: str = "",
) -> None:
    """Check the legal representative's data and email him an activation link.

    Inputs come already normalised by the form or serializer: P.IVA and codice fiscale
    checksum-validated, mobile in E.164. A pending User Admin (registered, never activated) gets
    a new link instead of an error, so a lost email is not a dead end.
    """
    message = _("Too many attempts. For your security, try again in an hour.")
    ratelimit.enforce(f"reg-admin-ip:{ip}", limit=TRIES_PER_IP, window_seconds=TRIES_WINDOW, message=message)
    ratelimit.enforce(f"reg-admin-vat:{vat_number}", limit=TRIES_PER_VAT, window_seconds=TRIES_WINDOW, message=message)
    company = Company.objects.filter(vat_number=vat_number).first()
    matched = (
        company is not None
        and company.heritage in (Heritage.WINDTRE, Heritage.WIND)
        and _matches(
            company,
            fiscal_code=fiscal_code,
            first_name=first_name,
            last_name=last_name,
            birth_date=birth_date,
            email=email,
            mobile=mobile,
        )  # fmt: skip
    )
    if not matched:
        raise not_matched()
    try:
        with transaction.atomic():
            _register(company, link_builder=link_builder, ip=ip)
    except IntegrityError:
        # Two registrations of the same company at the same moment: the constraint
        # user_one_admin_per_company lets one through.
        raise admin_exists() from None


def _register(company: Company, *, link_builder: activation.LinkBuilder, ip: str) -> None:
    admin = User.objects.select_for_update().filter(company=company, role=Role.ADMIN).first()
    if admin is not None and (admin.is_active or admin.has_usable_password() or admin.last_login):
        raise admin_exists()
    action = "admin_registration_renewed" if admin is not None else "admin_registered"
    if admin is None:
        admin = User(username=activation.pending_username(), role=Role.ADMIN, company=company, is_active=False)
        admin.set_unusable_password()
    admin.first_name = company.legal_rep_first_name
    admin.last_name = company.legal_rep_last_name
    admin.email = company.legal_rep_email
    admin.mobile = company.legal_rep_mobile
    admin.save()
    activation.activation_token_issue(
        user=admin,
        purpose=ActivationToken.Purpose.ACTIVATION,
        link_builder=link_builder,
        subject=_("Activate your User Admin access"),
        intro=_("Hello %(name)s, you registered as User Admin of %(company)s.")
        % {"name": admin.first_name, "company": company.name},
    )
    AuditEvent.objects.create(
        actor=None, company=company, action=action, object_type="user", object_id=str(admin.pk),
        ip_address=ip or None,
    )  # fmt: skip
