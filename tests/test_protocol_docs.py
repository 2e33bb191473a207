"""docs/protocol.md is checked against the pydantic models it describes: every message, operation,
event and shape has an example naming all its fields, and every Python name it cites exists."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from typing import Any

import pytest

from threadwidget.page.schema import protocol_schema

DOC = Path(__file__).resolve().parent.parent / "docs" / "protocol.md"
TEXT = DOC.read_text(encoding="utf-8")


def _code() -> str:
    """The doc's code: fenced blocks (the JSON examples) only."""
    return "\n".join(re.findall(r"```[a-z]*\n(.*?)```", TEXT, flags=re.DOTALL))


def _objects(code: str) -> list[str]:
    """Every balanced ``{...}`` in the examples, nested ones included."""
    found, stack = [], []
    for index, char in enumerate(code):
        if char == "{":
            stack.append(index)
        elif char == "}" and stack:
            found.append(code[stack.pop() : index + 1])
    return found


OBJECTS = _objects(_code())
DEFS: dict[str, Any] = protocol_schema()["$defs"]


def _tag(schema: dict[str, Any]) -> tuple[str, str] | None:
    for key in ("kind", "type"):
        const = schema.get("properties", {}).get(key, {}).get("const")
        if const is not None:
            return key, const
    return None


@pytest.mark.parametrize("name", sorted(n for n, d in DEFS.items() if d.get("properties")))
def test_every_model_has_an_example_with_all_its_fields(name: str) -> None:
    schema = DEFS[name]
    fields = set(schema["properties"])
    tag = _tag(schema)
    required = set(schema.get("required", ())) or fields
    examples = [
        o
        for o in OBJECTS
        if (tag is None or re.match(rf'\{{\s*"{tag[0]}":\s*"{tag[1]}"', o))
        and all(f'"{f}"' in o for f in required)
    ]
    assert examples, f"docs/protocol.md has no example of {name} with {sorted(required)}"
    # optional fields (left out of the JSON while unset) may show in another example
    missing = sorted(f for f in fields if not any(f'"{f}"' in o for o in examples))
    assert not missing, f"docs/protocol.md: no example of {name} shows {missing}"


def test_every_python_name_the_doc_cites_exists() -> None:
    from threadwidget import ThreadWidget

    cited = set(re.findall(r"\bw\.([A-Za-z_]\w*)", TEXT))
    cited |= set(re.findall(r"\bThreadWidget\.([A-Za-z_]\w*)", TEXT))
    assert cited, "expected the doc to cite the widget's API"
    missing = sorted(n for n in cited if not hasattr(ThreadWidget, n))
    assert not missing, f"docs/protocol.md cites ThreadWidget names that do not exist: {missing}"
    names = r"(?<![/\w.])(?:threadwidget\.)?(ops|protocol|wire)\.([a-z_]\w*)\b(?!\.\w)"
    for module, name in re.findall(names, TEXT):
        assert hasattr(importlib.import_module(f"threadwidget.{module}"), name), (module, name)


def test_the_doc_names_the_generated_sources() -> None:
    for path in ("js/src/generated/protocol.ts", "scripts/gen_protocol.py", "tests/data/protocol"):
        assert path in TEXT, path
