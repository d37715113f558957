"""One portal user per profile, all with the same demo password."""

from selfcare.accounts.models import SimAssociation, User
from selfcare.core.permissions import Role
from selfcare.demo.world.companies import BuiltCompany
from selfcare.demo.world.identity import national
from selfcare.lines.models import Line

# Shared by every demo profile; printed by the demo_world command, never used outside the demo.
DEMO_PASSWORD = "Selfcare-Demo-2026"  # noqa: S105
# The employee's line: its national form is his username, so it is fixed rather than drawn.
EMPLOYEE_NUMBER = "+393471234567"
ADMIN_USERNAME = "demoadmin"
MANAGER_USERNAME = "demomanager"
REFERENT_USERNAME = "demoreferente"
# The benchmark company's profiles (bench/): a Telco Manager and the employee of its first postpaid line.
BENCH_MANAGER_USERNAME = "benchmanager"


def demo_logins() -> list[tuple[str, str, str]]:
    """The demo profiles as (profile, username, password), in the order they are shown."""
    return [
        ("Dipendente", national(EMPLOYEE_NUMBER), DEMO_PASSWORD),
        ("User Admin", ADMIN_USERNAME, DEMO_PASSWORD),
        ("Telco Manager", MANAGER_USERNAME, DEMO_PASSWORD),
        ("Referente Aziendale", REFERENT_USERNAME, DEMO_PASSWORD),
    ]


def _user(username: str, *, role: str, company, first_name: str, last_name: str, email: str, **extra) -> User:
    user = User(
        username=username,
        role=role,
        company=company,
        first_name=first_name,
        last_name=last_name,
        email=email,
        **extra,
    )
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user


def create_demo_users(*, pmi: BuiltCompany, large: BuiltCompany, tre: BuiltCompany) -> list[User]:
    """The employee (with one associated SIM), the PMI's User Admin, a Telco Manager, a TRE Referente."""
    employee_line = next(line for line in pmi.lines if line.number == EMPLOYEE_NUMBER)
    holder = employee_line.holder
    employee = _user(
        national(EMPLOYEE_NUMBER),
        role=Role.EMPLOYEE,
        company=pmi.company,
        first_name=holder.first_name if holder else "Dipendente",
        last_name=holder.last_name if holder else "Demo",
        email=holder.email if holder else "",
        line=employee_line,
        mobile=EMPLOYEE_NUMBER,
    )
    # A second line of the same company, so the SIM switcher has something to switch to.
    second = next(
        line
        for line in pmi.lines
        if line.kind == Line.Kind.MOBILE and line.pk != employee_line.pk and line.status == Line.Status.ACTIVE
    )
    SimAssociation.objects.create(user=employee, line=second)

    company = pmi.company
    admin = _user(
        ADMIN_USERNAME,
        role=Role.ADMIN,
        company=company,
        first_name=company.legal_rep_first_name,
        last_name=company.legal_rep_last_name,
        email=company.legal_rep_email,
        mobile=company.legal_rep_mobile,
    )
    referents = list(large.company.referents.all())
    manager = _user(
        MANAGER_USERNAME,
        role=Role.MANAGER,
        company=large.company,
        first_name=referents[0].first_name,
        last_name=referents[0].last_name,
        email=referents[0].email,
        mobile=referents[0].phone,
    )
    tre_company = tre.company
    referent = _user(
        REFERENT_USERNAME,
        role=Role.REFERENT,
        company=tre_company,
        first_name=tre_company.legal_rep_first_name,
        last_name=tre_company.legal_rep_last_name,
        email=tre_company.legal_rep_email,
        mobile=tre_company.legal_rep_mobile,
    )
    return [employee, admin, manager, referent]


def create_bench_users(built: BuiltCompany) -> list[User]:
    """The benchmark company's Telco Manager and one employee, with the demo password."""
    company = built.company
    line = next(ln for ln in built.lines if ln.kind == Line.Kind.MOBILE and ln.status == Line.Status.ACTIVE)
    employee = _user(
        national(line.number),
        role=Role.EMPLOYEE,
        company=company,
        first_name="Dipendente",
        last_name="Benchmark",
        email="",
        line=line,
        mobile=line.number,
    )
    manager = _user(
        BENCH_MANAGER_USERNAME,
        role=Role.MANAGER,
        company=company,
        first_name="Manager",
        last_name="Benchmark",
        email=f"manager@{company.vat_number}.example.com",
        mobile=company.legal_rep_mobile,
    )
    return [employee, manager]
