"""The one exception hierarchy of maap.

    MaapError
    ├── UnreadableFile        expected, per file: the file goes to quarantine with .code and a reason
    │   ├── UnsupportedFormat
    │   ├── MissingTool       a converter (LibreOffice, OCRmyPDF) is not installed
    │   └── FileLimitExceeded a size, page or time limit was hit
    ├── TemplateError         a template file is invalid (line, field, what to fix)
    ├── ConfigError           a setting or codebook is invalid
    ├── MailboxError          the IMAP server is down, refuses the login or lacks a folder
    └── WorkspaceBusy         another run holds the workspace's lock (who, where, since)

Bugs are not MaapErrors: they raise as they are.
"""


class MaapError(Exception):
    """Base of every error maap raises on purpose."""


class UnreadableFile(MaapError):
    """A file could not be read; ``code`` is a stable quarantine reason code."""

    code = "unreadable"

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        if code:
            self.code = code


class UnsupportedFormat(UnreadableFile):
    code = "unsupported_format"


class MissingTool(UnreadableFile):
    code = "missing_tool"


class FileLimitExceeded(UnreadableFile):
    code = "limit_exceeded"


class TemplateError(MaapError):
    """A template file is invalid."""


class ConfigError(MaapError):
    """A setting, codebook or workspace is invalid."""


class MailboxError(MaapError):
    """The mailbox `maap fetch-mail` reads could not be reached or used; nothing was fetched or moved."""


class WorkspaceBusy(MaapError):
    """Another run (this machine or another) holds the workspace lock; the message says who and since when."""
