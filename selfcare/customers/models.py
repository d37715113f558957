from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from selfcare.core.validators import (
    validate_fiscal_code,
    validate_phone_number,
    validate_sdi_code,
    validate_vat_number,
)


class Heritage(models.TextChoices):
    WINDTRE = "WINDTRE", "WINDTRE"
    WIND = "WIND", "WIND"
    TRE = "TRE", "TRE"


class Segment(models.TextChoices):
    PMI = "PMI", _("Small and medium business")
    LARGE = "GA", _("Large enterprise")


class Company(models.Model):
    """A business customer, identified by its partita IVA."""

    name = models.CharField(_("company name"), max_length=200)
    vat_number = models.CharField(_("partita IVA"), max_length=11, unique=True, validators=[validate_vat_number])
    fiscal_code = models.CharField(_("codice fiscale"), max_length=16, validators=[validate_fiscal_code])
    heritage = models.CharField(_("customer base"), max_length=8, choices=Heritage.choices)
    segment = models.CharField(_("segment"), max_length=3, choices=Segment.choices)
    tre_customer_code = models.CharField(_("TRE customer code"), max_length=20, null=True, blank=True, unique=True)
    address = models.CharField(_("registered office"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=5, blank=True)
    province = models.CharField(_("province"), max_length=2, blank=True)
    # The legal representative as in the signed contract: registration of the User Admin matches these.
    legal_rep_first_name = models.CharField(_("legal representative's first name"), max_length=100)
    legal_rep_last_name = models.CharField(_("legal representative's last name"), max_length=100)
    legal_rep_birth_date = models.DateField(_("legal representative's date of birth"))
    legal_rep_fiscal_code = models.CharField(
        _("legal representative's codice fiscale"), max_length=16, validators=[validate_fiscal_code]
    )
    legal_rep_email = models.EmailField(_("legal representative's email"))
    legal_rep_mobile = models.CharField(
        _("legal representative's mobile"), max_length=16, validators=[validate_phone_number]
    )
    pec = models.EmailField(_("PEC address"), blank=True)
    sdi_code = models.CharField(_("recipient code (SDI)"), max_length=7, blank=True, validators=[validate_sdi_code])
    call_detail_enabled = models.BooleanField(_("call detail on invoices"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(vat_number__regex=r"^[0-9]{11}$"), name="company_vat_11_digits"),
            models.CheckConstraint(
                condition=Q(sdi_code="") | Q(sdi_code__regex=r"^[A-Z0-9]{7}$"), name="company_sdi_code_format"
            ),
            models.CheckConstraint(
                condition=~Q(heritage=Heritage.TRE) | Q(tre_customer_code__isnull=False),
                name="company_tre_has_customer_code",
            ),
            models.CheckConstraint(
                condition=Q(legal_rep_mobile__regex=r"^\+39[0-9]{6,11}$"),
                name="company_legal_rep_mobile_e164",
            ),
        ]

    def __str__(self):
        return self.name


class Site(models.Model):
    """A company site (sede): where SIMs are delivered and tickets refer to."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=200)
    city = models.CharField(_("city"), max_length=100)
    postcode = models.CharField(_("postcode"), max_length=5)
    province = models.CharField(_("province"), max_length=2)

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="site_unique_name_per_company")]

    def __str__(self):
        return f"{self.name} ({self.city})"


class Referent(models.Model):
    """A company contact the operator notifies (technical, administrative, pool referent...)."""

    class Kind(models.TextChoices):
        TECHNICAL = "technical", _("Technical")
        ADMINISTRATIVE = "administrative", _("Administrative")
        COMMERCIAL = "commercial", _("Commercial")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="referents")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"))
    phone = models.CharField(_("phone"), max_length=16, validators=[validate_phone_number])
    site = models.ForeignKey(Site, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("referent")
        verbose_name_plural = _("referents")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class CostCentre(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="cost_centres")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("cost centre")
        verbose_name_plural = _("cost centres")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="cost_centre_unique_code")]

    def __str__(self):
        return f"{self.code} · {self.name}"


class Holder(models.Model):
    """The person a line is assigned to (anagrafica intestatario), kept by the company's managers."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="holders")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    employee_code = models.CharField(_("employee code"), max_length=30, blank=True)
    cost_centre = models.ForeignKey(CostCentre, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        verbose_name = _("holder")
        verbose_name_plural = _("holders")
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["company", "last_name", "first_name"], name="holder_company_name")]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"
