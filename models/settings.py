"""Settings: one model, loaded once at the edge (CLI or flow) and passed down to stage functions."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Limits(BaseModel):
    """Bounds on the work one file may cost, so one bad file cannot hold up the night."""

    model_config = ConfigDict(extra="forbid")

    max_file_mb: float = Field(50, gt=0, description="larger files are quarantined unread")
    max_unzipped_mb: float = Field(200, gt=0, description="a Word package that inflates past this is refused")
    max_pages: int = Field(60, gt=0, description="PDF pages read per file")
    seconds_per_file: float = Field(180, gt=0, description="time limit for converting or OCR-ing one file")
    memory_mb: int = Field(2048, ge=0, description="address space of the process reading one file; 0 for no cap")
    ocr_language: str = "eng"


class MailSettings(BaseModel):
    """Where `maap fetch-mail` collects returns sent by email. The user name and password are read from the
    environment variables named here, never from maap.yaml."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(description="the IMAP server, e.g. imap.partnership.example")
    port: int | None = Field(None, ge=1, le=65535, description="993 with ssl, 143 without, unless given")
    ssl: bool = Field(True, description="connect over TLS (IMAPS); false only for a server on this machine")
    folder: str = Field("INBOX", description="the folder agencies' returns arrive in")
    processed_folder: str = Field("maap-processed", description="where fetched messages are moved on the server")
    user_env: str = Field("MAAP_IMAP_USER", description="environment variable holding the user name")
    password_env: str = Field("MAAP_IMAP_PASSWORD", description="environment variable holding the password")
    timeout_seconds: float = Field(30, gt=0)

    @model_validator(mode="before")
    @classmethod
    def _no_secrets(cls, data):
        if isinstance(data, dict) and {"user", "username", "password"} & set(data):
            raise ValueError("the IMAP user name and password are never kept in maap.yaml: set them in the "
                             "environment (MAAP_IMAP_USER, MAAP_IMAP_PASSWORD) and remove them from the file")
        return data

    @property
    def server_port(self) -> int:
        return self.port or (993 if self.ssl else 143)


class Settings(BaseModel):
    """Everything a run can be told; defaults suit a partnership's nightly run."""

    model_config = ConfigDict(extra="forbid")

    limits: Limits = Field(default_factory=Limits)
    template_threshold: float = Field(0.5, ge=0, le=1, description="below this, flag template_uncertain")
    not_a_return_below: float = Field(0.05, ge=0, le=1, description=(
        "a file whose best template match scores below this is not a return (outcome not_an_audit_tool): a covering "
        "letter or a chronology scores 0, the least of a real return's scores measured is 0.1"))
    template_id: str | None = Field(None, description="force this template instead of detecting")
    template_dirs: list[Path] = Field(default_factory=list)
    codebook: Path | None = None
    mail: MailSettings | None = Field(None, description="an IMAP mailbox to fetch emailed returns from (fetch-mail)")
    pseudonymise: bool = Field(False, description="replace names with codes in the workbook too (the team's own "
                               "screen, which shows names by default)")
    names: bool = Field(False, description="show people's names in the shared report (and the audit-day pack and "
                        "exports), which replace them with codes by default")
    concurrency: int = Field(4, ge=1, description="files processed at once")
    isolate: bool = Field(True, description="read each file in a reader process the run can stop; false for debugging")
