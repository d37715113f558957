"""The one application error: services raise it, pages show it as a form error, the API as JSON."""


class ApplicationError(Exception):
    def __init__(self, message, *, field: str | None = None, code: str = "invalid", status: int = 400):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code
        self.status = status
