import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from selfcare.accounts.models import SimAssociation, User
from selfcare.core.permissions import CAPABILITIES, Cap, Role
from selfcare.core.scope import ANONYMOUS, SESSION_CURRENT_LINE, build_scope
from selfcare.lines.models import Line
from tests.factories import CostCentreFactory, EmployeeFactory, LineFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(company, other_company):
    lines = [LineFactory(company=company) for _ in range(4)]
    foreign = [LineFactory(company=other_company) for _ in range(2)]
    return {"company": company, "lines": lines, "foreign": foreign}


def visible(scope):
    return set(scope.lines(Line.objects.all()).values_list("pk", flat=True))


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.REFERENT])
def test_manager_sees_every_line_of_his_company_only(world, role):
    user = UserFactory(company=world["company"], role=role)
    scope = build_scope(user)
    assert scope.is_manager and not scope.is_employee
    assert visible(scope) == {line.pk for line in world["lines"]}


def test_manager_restricted_to_a_cost_centre_sees_only_those_lines(world):
    centre = CostCentreFactory(company=world["company"])
    Line.objects.filter(pk__in=[world["lines"][0].pk, world["lines"][1].pk]).update(cost_centre=centre)
    user = UserFactory(company=world["company"], role=Role.MANAGER)
    user.cost_centres.add(centre)
    scope = build_scope(user)
    assert scope.is_restricted
    assert visible(scope) == {world["lines"][0].pk, world["lines"][1].pk}


def test_employee_sees_his_line_and_associated_ones(world):
    employee = EmployeeFactory(company=world["company"], line=world["lines"][0])
    SimAssociation.objects.create(user=employee, line=world["lines"][1])
    ended = SimAssociation.objects.create(user=employee, line=world["lines"][2])
    ended.ended_at = ended.created_at
    ended.save()
    scope = build_scope(employee, {})
    assert scope.is_employee
    assert scope.line_ids == (world["lines"][0].pk, world["lines"][1].pk)
    assert visible(scope) == {world["lines"][0].pk, world["lines"][1].pk}
    assert scope.current_line_id == world["lines"][0].pk


def test_employee_current_line_comes_from_session_only_when_allowed(world):
    employee = EmployeeFactory(company=world["company"], line=world["lines"][0])
    SimAssociation.objects.create(user=employee, line=world["lines"][1])
    assert build_scope(employee, {SESSION_CURRENT_LINE: world["lines"][1].pk}).current_line_id == world["lines"][1].pk
    # A line he may not see in the session falls back to his own line.
    forged = {SESSION_CURRENT_LINE: world["foreign"][0].pk}
    assert build_scope(employee, forged).current_line_id == world["lines"][0].pk


def test_association_with_another_company_line_is_still_not_visible(world):
    """Scope filters on the company too, so a bad association row cannot leak another company's line."""
    employee = EmployeeFactory(company=world["company"], line=world["lines"][0])
    SimAssociation.objects.create(user=employee, line=world["foreign"][0])
    assert visible(build_scope(employee, {})) == {world["lines"][0].pk}


def test_anonymous_and_staff_have_no_scope(world):
    assert build_scope(AnonymousUser()) is ANONYMOUS
    staff = User.objects.create_user("operator", password="x", is_staff=True)
    scope = build_scope(staff)
    assert not scope.is_authenticated
    assert visible(scope) == set()
    assert not scope.can(Cap.LINES_VIEW)


def test_capabilities_table():
    assert Cap.MANAGERS_MANAGE in CAPABILITIES[Role.ADMIN]
    assert Cap.MANAGERS_MANAGE not in CAPABILITIES[Role.MANAGER]
    assert Cap.MANAGERS_MANAGE not in CAPABILITIES[Role.REFERENT]
    assert Cap.COMPANY_LINES_VIEW not in CAPABILITIES[Role.EMPLOYEE]
    assert Cap.INVOICES_VIEW not in CAPABILITIES[Role.EMPLOYEE]
    assert Cap.OWN_ACCOUNT_DELETE in CAPABILITIES[Role.EMPLOYEE]
    assert Cap.OWN_ACCOUNT_DELETE not in CAPABILITIES[Role.ADMIN]
    # Every capability is given to somebody: no dead entries.
    assert set(Cap) == set().union(*CAPABILITIES.values())


def test_require_raises_permission_denied(world):
    scope = build_scope(EmployeeFactory(company=world["company"], line=world["lines"][0]), {})
    scope.require(Cap.TRAFFIC_VIEW)
    with pytest.raises(PermissionDenied):
        scope.require(Cap.INVOICES_PAY)


def test_company_rows_only_for_managers(world):
    from selfcare.customers.models import CostCentre

    CostCentreFactory(company=world["company"])
    CostCentreFactory(company=world["foreign"][0].company)
    manager = build_scope(UserFactory(company=world["company"]))
    employee = build_scope(EmployeeFactory(company=world["company"], line=world["lines"][0]), {})
    assert manager.company_rows(CostCentre.objects.all()).count() == 1
    assert employee.company_rows(CostCentre.objects.all()).count() == 0
