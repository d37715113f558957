"""The one application error: services raise it, pages show it as a form error, the API as JSON."""


class ApplicationError(Exception):
    def __init__(self, message, *, field: str | None = None, code: str = "invalid", status: int = 400):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.status = status


def add_error_to_form(form, exc: ApplicationError) -> None:
    """Show a service's ApplicationError on the form: on its field when the form has it."""
    form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
