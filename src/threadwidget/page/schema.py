"""The JSON Schema of the whole wire protocol, made from the pydantic models.

``scripts/gen_protocol.py`` writes it to ``js/src/generated/protocol.schema.json`` and turns it
into ``js/src/generated/protocol.ts``; ``docs/protocol.md`` is checked against the same models.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, JsonSchemaValue
from pydantic_core import core_schema

from ..core import operations, rules
from ..core.models import CommentStatus, ModerationAction
from ..core.ranking import Sort
from . import messages, requests

__all__ = ["WIRE_MODELS", "protocol_schema"]

#: Every model that travels, by direction; the schema's named definitions.
WIRE_MODELS: dict[str, tuple[JsonSchemaMode, Any]] = {
    "ClientMessage": ("validation", requests.ClientMessage),
    "Operation": ("validation", operations.Operation),
    "ServerMessage": ("serialization", messages.ServerMessage),
    "WireEvent": ("serialization", messages.WireEvent),
    "SnapshotValue": ("serialization", messages.SnapshotValue),
    "ConfigValue": ("serialization", messages.ConfigValue),
    "SavedSlot": ("serialization", messages.SavedSlot),
    "Sort": ("serialization", Sort),
    "Role": ("serialization", rules.Role),
    "CommentStatus": ("serialization", CommentStatus),
    "ModerationAction": ("serialization", ModerationAction),
}

_DESCRIPTIONS = {
    "ClientMessage": "Browser -> kernel: one request (discriminated by `kind`).",
    "Operation": "What a user asks for (discriminated by `type`); `set_extra` is Python's only.",
    "ServerMessage": "Kernel -> browser custom messages (discriminated by `kind`).",
    "WireEvent": "An applied operation with every decided field filled in (by `type`).",
    "Sort": "The `sort` trait: the order of sibling comments.",
    "Role": "Readers read; participants write, vote, report and label; moderators also moderate.",
    "CommentStatus": "visible; deleted by its author; hidden / spam / removed by a moderator.",
    "ModerationAction": "What a moderator did to a comment (the `moderate` operation's action).",
}


class _Generator(GenerateJsonSchema):
    """Kernel -> browser shapes always carry their defaulted fields: mark them required."""

    def field_is_required(
        self,
        field: core_schema.ModelField | core_schema.DataclassField | core_schema.TypedDictField,
        total: bool,
    ) -> bool:
        if self.mode == "serialization":
            return field.get("serialization_exclude_if") is None
        return super().field_is_required(field, total)

    def ser_schema(
        self,
        schema: core_schema.SerSchema
        | core_schema.IncExSeqSerSchema
        | core_schema.IncExDictSerSchema,
    ) -> JsonSchemaValue | None:
        """A serializer that only leaves keys out (``messages._omit``) keeps the model's schema."""
        if schema["type"] == "function-wrap":
            returns = schema.get("return_schema")
            if isinstance(returns, dict) and returns.get("type") == "any":
                return None
        return super().ser_schema(schema)


def _optional_fields() -> dict[str, tuple[str, ...]]:
    """Definition name -> fields the kernel may leave out (``OPTIONAL`` of the wire models)."""
    found: dict[str, tuple[str, ...]] = {}
    for name in dir(messages):
        model = getattr(messages, name)
        if isinstance(model, type) and issubclass(model, BaseModel):
            optional = getattr(model, "OPTIONAL", ())
            if optional:
                found[model.__name__] = tuple(optional)
    return found


def _strip_titles(node: Any) -> None:
    """Drop pydantic's per-property titles ("Parent Id"): only definitions are named types."""
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            for prop in props.values():
                if isinstance(prop, dict):
                    prop.pop("title", None)
        for value in node.values():
            _strip_titles(value)
    elif isinstance(node, list):
        for value in node:
            _strip_titles(value)


def _name_shared(node: Any, named: dict[str, dict[str, Any]], top: bool = True) -> Any:
    """Replace inline copies of a named union or enum by a reference to its definition."""
    if isinstance(node, list):
        return [_name_shared(value, named, False) for value in node]
    if not isinstance(node, dict):
        return node
    if not top:
        for name, shape in named.items():
            key = "oneOf" if "oneOf" in shape else "enum"
            if node.get(key) == shape[key]:
                return {"$ref": f"#/$defs/{name}"}
    return {key: _name_shared(value, named, False) for key, value in node.items()}


def protocol_schema() -> dict[str, Any]:
    """One JSON Schema (draft 2020-12) naming every message, operation, event and shape."""
    inputs = [(name, mode, TypeAdapter(tp)) for name, (mode, tp) in WIRE_MODELS.items()]
    tops, defs_schema = TypeAdapter.json_schemas(inputs, schema_generator=_Generator)
    defs: dict[str, Any] = dict(defs_schema.get("$defs", {}))
    for (name, _mode), schema in tops.items():
        if "$ref" in schema and len(schema) == 1:
            continue  # a model: already among the definitions under its own name
        defs[name] = {"title": name, "description": _DESCRIPTIONS.get(name, ""), **schema}
    for name, optional in _optional_fields().items():
        if name in defs:
            required = defs[name].get("required", [])
            defs[name]["required"] = [f for f in required if f not in optional]
    for union in defs.values():
        tag = union.get("discriminator", {}).get("propertyName")
        for ref in union.get("discriminator", {}).get("mapping", {}).values():
            member = defs[ref.rsplit("/", 1)[-1]]
            if tag not in member.setdefault("required", []):
                member["required"].insert(0, tag)  # the tag is never optional in a union
    defs["OpRequest"]["properties"]["op"] = {"$ref": "#/$defs/Operation"}
    named = {n: d for n, d in defs.items() if n in WIRE_MODELS and ("oneOf" in d or "enum" in d)}
    defs = {name: _name_shared(schema, named) for name, schema in defs.items()}
    defs["JsonValue"] = {"title": "JsonValue", "description": "Any JSON value.", "tsType": "Json"}
    _strip_titles(defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://github.com/threadwidget/threadwidget/protocol.schema.json",
        "title": "ThreadwidgetProtocol",
        "description": "Every message between the kernel and the browser (docs/protocol.md).",
        "type": "object",
        "properties": {
            name: {"$ref": f"#/$defs/{name}"} for name in ("ClientMessage", "ServerMessage")
        },
        "$defs": dict(sorted(defs.items())),
    }
