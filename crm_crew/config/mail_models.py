"""Pydantic models of the mailbox settings in crm-crew.yaml: `mail.imap` (reading) and `replies` (writing)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from crm_crew.config.shipped import shipped

ENV_NAME = r"^[A-Za-z_][A-Za-z0-9_]*$"


class _Strict(BaseModel):
    # validate_default: defaults come from the shipped YAML and become models like any value.
    model_config = ConfigDict(extra="forbid", strict=True, validate_default=True)


class ImapSettings(_Strict):
    """mail.imap: how `run imaps://...` logs in and what it does with a message once it is journaled."""

    auth: Literal["password", "xoauth2"] = Field(default_factory=shipped("mail", "imap", "auth"))
    # NAMES of environment variables (the secrets never sit in YAML or in the URL).
    password_env: str = Field(default_factory=shipped("mail", "imap", "password_env"), pattern=ENV_NAME)
    oauth2_token_env: str = Field(default_factory=shipped("mail", "imap", "oauth2_token_env"), pattern=ENV_NAME)
    tls_ca_file: str | None = Field(default_factory=shipped("mail", "imap", "tls_ca_file"))
    after: str = Field(default_factory=shipped("mail", "imap", "after"), pattern=r"^(none|seen|move:\S.*)$")
    timeout_s: float = Field(default_factory=shipped("mail", "imap", "timeout_s"), gt=0)
    fetch_batch: int = Field(default_factory=shipped("mail", "imap", "fetch_batch"), ge=1, le=1000)


class MailSettings(_Strict):
    imap: ImapSettings = Field(default_factory=ImapSettings)


class SmtpSettings(_Strict):
    """replies.smtp: where `replies.mode: send` hands replies over (implicit TLS or STARTTLS, never clear text)."""

    host: str | None = Field(default_factory=shipped("replies", "smtp", "host"))
    port: int = Field(default_factory=shipped("replies", "smtp", "port"), ge=1, le=65535)
    security: Literal["tls", "starttls"] = Field(default_factory=shipped("replies", "smtp", "security"))
    user: str | None = Field(default_factory=shipped("replies", "smtp", "user"))
    password_env: str = Field(default_factory=shipped("replies", "smtp", "password_env"), pattern=ENV_NAME)
    tls_ca_file: str | None = Field(default_factory=shipped("replies", "smtp", "tls_ca_file"))
    timeout_s: float = Field(default_factory=shipped("replies", "smtp", "timeout_s"), gt=0)


class RepliesSettings(_Strict):
    """replies: what becomes of a drafted reply (the `send_reply` action)."""

    mode: Literal["off", "draft", "send"] = Field(default_factory=shipped("replies", "mode"))
    drafts_folder: str = Field(default_factory=shipped("replies", "drafts_folder"), min_length=1)
    from_address: str | None = Field(default_factory=shipped("replies", "from_address"))
    from_name: str | None = Field(default_factory=shipped("replies", "from_name"))
    reply_to: str | None = Field(default_factory=shipped("replies", "reply_to"))
    max_per_run: int = Field(default_factory=shipped("replies", "max_per_run"), ge=0)
    max_per_recipient: int = Field(default_factory=shipped("replies", "max_per_recipient"), ge=0)
    recipient_window_h: float = Field(default_factory=shipped("replies", "recipient_window_h"), gt=0)
    max_bytes: int = Field(default_factory=shipped("replies", "max_bytes"), ge=1000)
    own_list_ids: list[str] = Field(default_factory=shipped("replies", "own_list_ids"))
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)

    @model_validator(mode="after")
    def _send_needs_a_server(self) -> "RepliesSettings":
        if self.mode == "send" and not (self.smtp.host and self.from_address):
            raise PydanticCustomError("replies_send", "replies.mode send needs replies.smtp.host and "
                                                      "replies.from_address")
        for name in ("from_address", "reply_to", "from_name"):
            value = getattr(self, name)
            if value is not None and any(c in value for c in "\r\n"):
                raise PydanticCustomError("replies_header", f"replies.{name} must be one line")
        return self
