"""What every input schema of the API (and of the importer, which reuses them) shares."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import ConfigDict, field_validator
from pydantic_core import PydanticCustomError

NUL = "\x00"


def contains_nul(value: Any) -> bool:
    """Whether a NUL character hides anywhere in ``value`` (strings, lists, dict keys and values).

    PostgreSQL cannot store it in a text column, SQLite can: refusing it at the edge makes both
    databases answer alike. Iterative, so a deeply nested value cannot exhaust the stack."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if NUL in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            stack.extend(item)
    return False


def custom_error(code: str, message: Any, **ctx: Any) -> PydanticCustomError:
    """A per-field error with our code; the message is rendered now, in the request's language
    (pydantic formats ``{placeholders}``, so braces in it are escaped)."""
    return PydanticCustomError(code, str(message).replace("{", "{{").replace("}", "}}"), ctx or None)


def nul_error() -> PydanticCustomError:
    return custom_error("null_character", _("Null characters are not allowed."))


class InputSchema(Schema):
    """Unknown fields are refused, strings are stripped, and no text may contain a NUL."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if contains_nul(value):
            raise nul_error()
        return value
