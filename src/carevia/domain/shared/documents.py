"""Conversion between BSON documents and msgspec Structs, shared by every repository."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

import msgspec
from bson import ObjectId

T = TypeVar("T")


def from_document(document: dict[str, Any], kind: type[T]) -> T:
    return msgspec.convert(document, kind, builtin_types=(datetime,))


def to_document(value: msgspec.Struct) -> dict[str, Any]:
    document: dict[str, Any] = msgspec.to_builtins(value, builtin_types=(ObjectId, datetime))
    return document
