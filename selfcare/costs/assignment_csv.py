"""Reading the CSV file that assigns lines to holders and cost centres (SPEC F-X-3).

One row per line, three columns: the line's number, the holder's employee code, the cost centre's
code. An empty cell leaves that assignment as it is; a dash ("-") removes it. A first row without
digits in its first cell is a header and is skipped. The separator is `;` (what Italian
spreadsheets write) or `,`, found from the first row; the text is UTF-8 (with or without BOM) or,
failing that, Windows-1252 (Excel's "CSV" in Italian Windows).

This module only reads the file: which numbers, codes and lines exist is the service's business
(selfcare.costs.services.assignments).
"""

import csv
import io
import re
from dataclasses import dataclass, field

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from selfcare.core.errors import ApplicationError

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 20_000
COLUMNS = 3
REMOVE = "-"  # a cell with only a dash removes the holder or the cost centre


@dataclass
class AssignmentRow:
    """One data row of the file, as written (cells stripped)."""

    row: int  # its row number in the file, the first row being 1 (what a spreadsheet shows)
    number: str
    holder_code: str = ""
    cost_centre_code: str = ""
    problems: list[str] = field(default_factory=list)


def _file_error(message: str) -> ApplicationError:
    return ApplicationError(message, field="file", code="invalid_file")


def _decode(data: bytes) -> str:
    if b"\x00" in data[:4096] or data[:4] == b"PK\x03\x04":
        # NUL bytes: a binary file (an .xlsx workbook is a zip file, "PK..." at the start).
        raise _file_error(
            _(
                "This is not a CSV file. In your spreadsheet use “Save as” › “CSV (semicolon separated)” "
                "and upload that."
            )
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _file_error(_("The file's text could not be read: save it as CSV in UTF-8."))


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ";"


def _cell(value: str) -> str:
    # Our own exports put an apostrophe before a + so that spreadsheets keep it as text.
    return value.strip().removeprefix("'").strip()


def _is_header(cells: list[str]) -> bool:
    """A title row: words and no digits in the first cell ("Numero", "number")."""
    return bool(re.search(r"[^\W\d_]", cells[0])) and not re.search(r"[0-9]", cells[0])


def parse_assignment_csv(data: bytes) -> list[AssignmentRow]:
    """The data rows of an uploaded file, each with the problems of its shape (too many columns,
    no number). A file that cannot be used at all raises an ApplicationError on the `file` field:
    empty, too big, too many rows, not a CSV text."""
    if not data or not data.strip():
        raise _file_error(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise _file_error(
            _("The file is larger than %(size)s MB: split it into smaller files.")
            % {"size": number_format(MAX_BYTES / 1024 / 1024, 0)}
        )
    text = _decode(data)
    delimiter = _delimiter(text.split("\n", 1)[0])
    rows: list[AssignmentRow] = []
    try:
        for index, raw in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            cells = [_cell(c) for c in raw]
            while cells and not cells[-1]:
                cells.pop()  # trailing empty cells (a spreadsheet's extra separators)
            if not cells:
                continue
            if index == 1 and _is_header(cells):
                continue
            if len(rows) >= MAX_ROWS:
                raise _file_error(
                    _("The file has more than %(rows)s rows: split it into smaller files.")
                    % {"rows": number_format(MAX_ROWS, 0, force_grouping=True)}
                )
            rows.append(_row(index, cells))
    except csv.Error:
        raise _file_error(_("This is not a valid CSV file: check that it was saved as CSV.")) from None
    if not rows:
        raise _file_error(_("The file has no rows to apply, only the header."))
    return rows


def _row(index: int, cells: list[str]) -> AssignmentRow:
    cells = cells + [""] * (COLUMNS - len(cells))
    row = AssignmentRow(row=index, number=cells[0], holder_code=cells[1], cost_centre_code=cells[2])
    if len(cells) > COLUMNS:
        row.problems.append(_("Too many columns: a row has three (number, employee code, cost centre code)."))
    if not row.number:
        row.problems.append(_("The line's number is missing."))
    return row


def number_candidates(text: str) -> list[str]:
    """The E.164 numbers a cell may mean (+39 347..., 347..., 0039..., or 39347... from a
    spreadsheet that dropped the +); empty when it is not an Italian number at all."""
    compact = re.sub(r"[\s./()-]", "", text)
    if compact.startswith("+"):
        compact = compact[1:]
        return [f"+{compact}"] if compact.startswith("39") and compact.isdigit() and 8 <= len(compact) <= 13 else []
    if compact.startswith("0039"):
        compact = compact[2:]
        return [f"+{compact}"] if compact.isdigit() and 8 <= len(compact) <= 13 else []
    if not compact.isdigit() or not 6 <= len(compact) <= 13:
        return []
    candidates = [f"+39{compact}"] if len(compact) <= 11 else []
    if compact.startswith("39") and len(compact) >= 11:
        candidates.append(f"+{compact}")
    return candidates
