"""CSV downloads the way Italian spreadsheets open them: `;` between cells, a UTF-8 BOM, no formulas."""

import csv
from collections.abc import Iterable

from django.http import StreamingHttpResponse

DELIMITER = ";"


class Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value):
        return value


def safe_cell(value) -> str:
    """A CSV cell that a spreadsheet will not read as a formula (CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_response(filename: str, header: list, rows: Iterable[list]) -> StreamingHttpResponse:
    """A streamed CSV download: the header, then each row (read lazily, so a big export is never
    held in memory); every cell goes through safe_cell()."""
    writer = csv.writer(Echo(), delimiter=DELIMITER)

    def stream():
        yield "\ufeff"  # a BOM, so spreadsheet programs read the file as UTF-8
        yield writer.writerow([safe_cell(v) for v in header])
        for row in rows:
            yield writer.writerow([safe_cell(v) for v in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
