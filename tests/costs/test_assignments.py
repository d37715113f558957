"""Assigning lines to holders and cost centres: one line from its form, many from a CSV file."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from selfcare.core.models import AuditEvent
from selfcare.costs import assignment_csv
from selfcare.costs.assignment_csv import number_candidates, parse_assignment_csv
from selfcare.lines.models import Line
from tests.costs.conftest import make_holder
from tests.factories import CostCentreFactory, LineFactory, UserFactory

pytestmark = pytest.mark.django_db


# --- One line ------------------------------------------------------------------------------------


def test_assign_one_line_from_its_form(manager_client, company):
    centre = CostCentreFactory(company=company, code="CC100")
    holder = make_holder(company, "Marco", "Rossi", employee_code="E001")
    line = LineFactory(company=company)
    url = reverse("costs:line_assign", args=[line.pk])
    page = manager_client.get(url)
    assert page.status_code == 200 and line.display_number in page.content.decode()
    # The holder search finds him (the whole page without htmx, only the radios with it).
    found = manager_client.get(url, {"holder_q": "ross"})
    assert [h.pk for h in found.context["holders"]] == [holder.pk]
    fragment = manager_client.get(url, {"holder_q": "e001"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and f'value="{holder.pk}"' in fragment
    assert "No holder matches" in manager_client.get(url, {"holder_q": "zzz"}, HTTP_HX_REQUEST="true").content.decode()
    response = manager_client.post(url, {"holder": holder.pk, "cost_centre": centre.pk})
    assert response.status_code == 302 and response["Location"] == reverse("lines:detail", args=[line.pk])
    line.refresh_from_db()
    assert (line.holder, line.cost_centre) == (holder, centre)
    assert AuditEvent.objects.get(action="line_assigned").detail["cost_centre"] == centre.pk
    detail = manager_client.get(reverse("lines:detail", args=[line.pk])).content.decode()
    assert "Marco Rossi" in detail and "CC100" in detail and url in detail  # the detail links the form
    # Both removed.
    assert manager_client.post(url, {"holder": "", "cost_centre": ""}).status_code == 302
    line.refresh_from_db()
    assert line.holder is None and line.cost_centre is None


def test_the_current_holder_is_offered_and_checked(manager_client, company):
    holder = make_holder(company, "Marco", "Rossi")
    line = LineFactory(company=company, holder=holder)
    html = manager_client.get(reverse("costs:line_assign", args=[line.pk])).content.decode()
    assert f'value="{holder.pk}" checked' in html


def test_another_company_holder_or_cost_centre_is_a_field_error(manager_client, company, other_company):
    line = LineFactory(company=company)
    url = reverse("costs:line_assign", args=[line.pk])
    foreign_holder = make_holder(other_company, "Luca", "Verdi")
    foreign_centre = CostCentreFactory(company=other_company)
    response = manager_client.post(url, {"holder": foreign_holder.pk, "cost_centre": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["holder"] == ["Choose one of your company's holders."]
    assert "Verdi" not in response.content.decode()
    response = manager_client.post(url, {"holder": "", "cost_centre": foreign_centre.pk})
    assert response.status_code == 400 and "cost_centre" in response.context["form"].errors
    response = manager_client.post(url, {"holder": "abc", "cost_centre": "x"})
    assert response.status_code == 400 and set(response.context["form"].errors) == {"holder", "cost_centre"}
    line.refresh_from_db()
    assert line.holder is None and line.cost_centre is None


def test_another_company_line_is_a_404(manager_client, company, other_company):
    holder = make_holder(company)
    foreign = LineFactory(company=other_company)
    url = reverse("costs:line_assign", args=[foreign.pk])
    assert manager_client.get(url).status_code == 404
    assert manager_client.post(url, {"holder": holder.pk}).status_code == 404
    assert Line.objects.get(pk=foreign.pk).holder is None


# --- The file: reading -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+39 347 123 4567", ["+393471234567"]),
        ("347.123.4567", ["+393471234567"]),
        ("0039 347 1234567", ["+393471234567"]),
        ("393471234567", ["+393471234567"]),  # a spreadsheet dropped the +
        ("02 1234 5678", ["+390212345678"]),
        ("+44 20 7946 0000", []),
        ("abc", []),
        ("12", []),
    ],
)
def test_numbers_are_read_as_people_write_them(text, expected):
    assert number_candidates(text) == expected


def test_the_file_reader_skips_header_blank_rows_and_trailing_separators():
    data = "Numero;Matricola;Centro di costo\r\n+39 347 1234567;E1;CC1;;\r\n\r\n3471234568,x\r\n;E2\r\n1;2;3;4\r\n"
    rows = parse_assignment_csv(data.encode("utf-8-sig"))
    assert [(r.row, r.number, r.holder_code, r.cost_centre_code) for r in rows] == [
        (2, "+39 347 1234567", "E1", "CC1"),
        (4, "3471234568,x", "", ""),
        (5, "", "E2", ""),
        (6, "1", "2", "3"),
    ]
    assert rows[2].problems == ["The line's number is missing."]
    assert "Too many columns" in rows[3].problems[0]


def test_the_file_reader_accepts_commas_and_windows_1252():
    rows = parse_assignment_csv("3471234567,E1,CC1\n3471234568,Ànna,\n".encode("cp1252"))
    assert [(r.number, r.holder_code, r.cost_centre_code) for r in rows] == [
        ("3471234567", "E1", "CC1"),
        ("3471234568", "Ànna", ""),
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"  \r\n ", "The file is empty."),
        (b"Numero;Matricola;Centro\r\n", "no rows to apply"),
        (b"PK\x03\x04\x14\x00\x06\x00", "This is not a CSV file."),
        (b"\x00\x01\x02binary", "This is not a CSV file."),
        (b"x" * (assignment_csv.MAX_BYTES + 1), "larger than 2 MB"),
        ("".join(f"34712{i:05d};;\n" for i in range(20_001)).encode(), "more than 20.000 rows"),
    ],
    ids=["empty", "blank", "header-only", "xlsx", "binary", "too-big", "too-many-rows"],
)
def test_files_that_cannot_be_used_get_a_clear_message(data, message):
    from django.utils import translation

    from selfcare.core.errors import ApplicationError

    with translation.override("it"), pytest.raises(ApplicationError) as raised:
        parse_assignment_csv(data)
    assert raised.value.field == "file"
    with translation.override("en"), pytest.raises(ApplicationError) as raised:
        parse_assignment_csv(data)
    assert message.replace("20.000", "20,000") in str(raised.value.message)


def test_twenty_thousand_rows_are_accepted():
    rows = parse_assignment_csv("".join(f"34712{i:05d};;\n" for i in range(20_000)).encode())
    assert len(rows) == 20_000


# --- The file: applying ----------------------------------------------------------------------------


@pytest.fixture
def assignable(company, other_company):
    """Company A: four lines, two holders, two cost centres; company B: one line."""
    lines = [LineFactory(company=company, number=f"+39347000000{i}") for i in range(4)]
    return {
        "lines": lines,
        "rossi": make_holder(company, "Marco", "Rossi", employee_code="E001"),
        "bianchi": make_holder(company, "Anna", "Bianchi", employee_code="E002"),
        "cc100": CostCentreFactory(company=company, code="CC100"),
        "cc200": CostCentreFactory(company=company, code="CC200"),
        "foreign": LineFactory(company=other_company, number="+393479999999"),
    }


def upload(client, text: str, **extra):
    file = SimpleUploadedFile("assegnazioni.csv", text.encode("utf-8"), content_type="text/csv")
    return client.post(reverse("costs:assignment_upload"), {"file": file, **extra})


MIXED = (
    "numero;matricola;centro di costo\n"
    "+39 347 000 0000;E001;CC100\n"  # 2: both set
    "3470000001;;cc200\n"  # 3: only the cost centre (codes in any case)
    "3470000002;E999;CC100\n"  # 4: unknown employee code
    "3479999999;E001;CC100\n"  # 5: another company's line
    "3475555555;;CC100\n"  # 6: no such line
    "3470000003;E002;CC404\n"  # 7: unknown cost centre
    "+39 347 0000000;E002;\n"  # 8: the first line again
    "hello;E001;CC100\n"  # 9: not a number
    "3470000003;-;-\n"  # 10: removes both from line 3 (it has none: unchanged)
)


def test_a_mixed_file_applies_the_good_rows_and_reports_the_others(manager_client, company, assignable):
    lines = assignable["lines"]
    detail = reverse("lines:detail", args=[lines[0].pk])
    manager_client.get(detail)  # cached before the change
    response = upload(manager_client, MIXED)
    assert response.status_code == 200
    report = response.context["report"]
    assert (report.rows, report.changed, report.unchanged, report.applied) == (9, 2, 1, True)
    problems = {row.row: row.problems for row in report.problems}
    assert problems == {
        4: ["No holder of your company has this employee code."],
        5: ["This number is not one of your company's lines."],
        6: ["No line has this number."],
        7: ["Your company has no cost centre with this code."],
        8: ["This line is already on row 2: only that row is applied."],
        9: ["This is not an Italian phone number."],
    }
    fresh = {line.pk: line for line in Line.objects.filter(company=company)}
    assert (fresh[lines[0].pk].holder, fresh[lines[0].pk].cost_centre) == (assignable["rossi"], assignable["cc100"])
    assert (fresh[lines[1].pk].holder, fresh[lines[1].pk].cost_centre) == (None, assignable["cc200"])
    assert fresh[lines[2].pk].holder is None and fresh[lines[2].pk].cost_centre is None
    assert Line.objects.get(pk=assignable["foreign"].pk).holder is None
    html = response.content.decode()
    assert "2 lines changed." in html and "6 rows refused" in html and "No line has this number." in html
    assert "Marco Rossi" in manager_client.get(detail).content.decode()  # the bulk update renewed the cache
    assert AuditEvent.objects.get(action="lines_assigned_from_file").detail == {"rows": 9, "changed": 2, "refused": 6}


def test_a_dash_removes_and_an_empty_cell_keeps(manager_client, company, assignable):
    first, second = assignable["lines"][:2]
    both = {"holder": assignable["rossi"], "cost_centre": assignable["cc100"]}
    Line.objects.filter(pk__in=[first.pk, second.pk]).update(**both)
    response = upload(manager_client, "3470000000;-;\n3470000001;;-\n")
    assert response.context["report"].changed == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.holder, first.cost_centre) == (None, assignable["cc100"])
    assert (second.holder, second.cost_centre) == (assignable["rossi"], None)


def test_check_only_changes_nothing(manager_client, company, assignable):
    response = upload(manager_client, MIXED, check_only="on")
    report = response.context["report"]
    assert (report.changed, report.applied) == (2, False)
    assert "2 lines would change." in response.content.decode()
    assert not Line.objects.filter(company=company, cost_centre__isnull=False).exists()
    assert not AuditEvent.objects.filter(action="lines_assigned_from_file").exists()


def test_an_ambiguous_employee_code_is_refused(manager_client, company, assignable):
    make_holder(company, "Altro", "Rossi", employee_code="e001")  # created outside the portal, other case
    report = upload(manager_client, "3470000000;E001;\n").context["report"]
    assert report.problems[0].problems == [
        "More than one holder has this employee code: give each one a different code."
    ]


def test_a_manager_restricted_to_a_cost_centre_assigns_only_his_lines(client_as, company, assignable):
    from tests.costs.conftest import in_english

    mine = assignable["lines"][0]
    Line.objects.filter(pk=mine.pk).update(cost_centre=assignable["cc100"])
    restricted = UserFactory(company=company)
    restricted.cost_centres.add(assignable["cc100"])
    client = client_as("anonymous")
    client.force_login(restricted)
    in_english(client)
    report = upload(client, "3470000000;E001;\n3470000001;E001;\n").context["report"]
    assert report.changed == 1
    assert report.problems[0].problems == ["This line is outside the cost centres and sites you manage."]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"numero;matricola;centro\n", "The file has no rows to apply"),
        (b"PK\x03\x04\x14\x00", "This is not a CSV file."),
    ],
)
def test_unusable_files_are_a_field_error_on_the_page(manager_client, content, message):
    file = SimpleUploadedFile("x.csv", content, content_type="text/csv")
    response = manager_client.post(reverse("costs:assignment_upload"), {"file": file})
    assert response.status_code == 400
    assert message in response.context["form"].errors["file"][0]
    assert response.context["report"] is None


def test_no_file_is_a_field_error(manager_client):
    response = manager_client.post(reverse("costs:assignment_upload"), {})
    assert response.status_code == 400 and "file" in response.context["form"].errors


def test_the_current_assignments_download_round_trips(manager_client, company, other_company, assignable):
    first = assignable["lines"][0]
    Line.objects.filter(pk=first.pk).update(holder=assignable["rossi"], cost_centre=assignable["cc200"])
    response = manager_client.get(reverse("costs:assignment_export"))
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content).decode("utf-8")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Number", "Employee code", "Cost centre code"]
    assert ["'+393470000000", "E001", "CC200"] in rows
    assert not any("+393479999999" in r[0] for r in rows)  # nothing of company B
    report = upload(manager_client, body).context["report"]
    assert report.problems == [] and report.changed == 0 and report.unchanged == len(rows) - 1


def test_the_upload_page_documents_the_format(manager_client):
    html = manager_client.get(reverse("costs:assignment_upload")).content.decode()
    assert "An empty cell leaves that assignment as it is; a dash (-) removes it." in html
    assert reverse("costs:assignment_export") in html and 'enctype="multipart/form-data"' in html
