"""What the OpenAPI document says about errors, so it tells the truth about every answer.

Litestar documents a 400 of its own shape; the app answers every error with one envelope
(`carevia.web.errors`), so each JSON handler names the statuses it can give with this body.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar._openapi.schema_generation.plugins.struct import StructSchemaPlugin
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Schema
from litestar.typing import FieldDefinition


class ErrorDetail(msgspec.Struct, frozen=True):
    code: str
    message: str
    fields: dict[str, str]


class ErrorBody(msgspec.Struct, frozen=True):
    error: ErrorDetail


_MEANINGS = {
    400: "The request is malformed or breaks a rule; `fields` names each problem.",
    401: "No valid access token (or session) came with the request.",
    403: "The caller's role may not do this, or a change came without a bearer token.",
    404: "There is no such resource, or none the caller may see.",
    409: "The resource's current state does not allow this.",
    429: "Too many attempts; wait a while before trying again.",
}


def errors(*statuses: int) -> dict[int, ResponseSpec]:
    """The error answers a handler gives, each with the app's JSON error envelope."""
    return {
        status: ResponseSpec(ErrorBody, description=_MEANINGS[status])
        for status in sorted(statuses)
    }


class ClosedStructSchemaPlugin(StructSchemaPlugin):
    """A Struct with `forbid_unknown_fields` is documented with `additionalProperties: false`.

    Litestar's own plugin (imported from its private module, as it has no public name)
    leaves the schema open, so the document called requests valid that the app refuses.
    """

    def is_plugin_supported_field(self, field_definition: FieldDefinition) -> bool:
        return super().is_plugin_supported_field(field_definition) and bool(
            field_definition.type_.__struct_config__.forbid_unknown_fields
        )

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        schema.additional_properties = False
        return schema
