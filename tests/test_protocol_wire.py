"""The wire protocol has one source: golden fixtures match the pydantic models, the builders write
exactly those shapes, and the generated TypeScript is up to date."""

from __future__ import annotations

import importlib.util
import json
import shutil
import typing
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from threadwidget.core import operations, rules
from threadwidget.core.models import Comment, Post
from threadwidget.page import messages
from threadwidget.page.requests import ClientMessage, OpRequest, parse_client_message

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "data" / "protocol"


def _fixtures(prefix: str) -> dict[str, Any]:
    return {
        p.stem: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(FIXTURES.glob(f"{prefix}.*.json"))
    }


def _kinds(union: object) -> set[str]:
    members = typing.get_args(typing.get_args(union)[0])
    return {typing.get_args(m.model_fields["kind"].annotation)[0] for m in members}


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """A wire comment or post as the model holds it (no ``html``)."""
    return {k: v for k, v in data.items() if k != "html"}


def test_every_message_kind_has_a_golden_fixture() -> None:
    server = {m["kind"] for m in _fixtures("server").values()}
    client = {m["kind"] for m in _fixtures("client").values()}
    assert server == _kinds(messages.ServerMessage)
    assert client == _kinds(ClientMessage)
    events = {m["event"]["type"] for m in _fixtures("server").values() if m["kind"] == "event"}
    browser_ops = {"add", "edit", "delete", "like", "unlike", "flag", "unflag", "vote", "label"}
    assert events >= browser_ops - {"unflag"} | {"moderate", "pin", "lock", "set_extra"}


@pytest.mark.parametrize("name", sorted(_fixtures("server")))
def test_server_fixtures_validate_and_round_trip(name: str) -> None:
    data = _fixtures("server")[name]
    message = messages.parse_server_message(data)
    assert isinstance(message, messages._Wire)
    assert message.wire() == data  # the model writes exactly what the fixture holds


@pytest.mark.parametrize("name", sorted(_fixtures("client")))
def test_client_fixtures_validate(name: str) -> None:
    message = parse_client_message(_fixtures("client")[name])
    if isinstance(message, OpRequest):
        operations.parse_operation(message.op)


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("trait.snapshot", messages.SnapshotValue),
        ("trait.snapshot-incomplete", messages.SnapshotValue),
        ("trait.snapshot-first-screen", messages.SnapshotValue),
        ("trait.saved-slot-comment", messages.SavedSlot),
        ("trait.saved-slot-post", messages.SavedSlot),
        ("trait.config", messages.ConfigValue),
        ("trait.config-likes", messages.ConfigValue),
    ],
)
def test_trait_fixtures_validate(name: str, model: type[messages._Wire]) -> None:
    data = json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))
    assert model.model_validate(data).wire() == data


def test_fixtures_tell_one_story() -> None:
    """The events, applied to the snapshot trait, give the snapshot parts (and the catch-up repeats
    events 2-4): the fixtures are what one kernel sent, not unrelated samples."""
    snapshot = json.loads((FIXTURES / "trait.snapshot.json").read_text(encoding="utf-8"))
    state = rules.ThreadState(
        post=Post.model_validate(_plain(snapshot["post"])),
        comments={c["id"]: Comment.model_validate(_plain(c)) for c in snapshot["comments"]},
    )
    server = _fixtures("server")
    events = sorted(
        (m for m in server.values() if m["kind"] == "event" and m["epoch"] == snapshot["epoch"]),
        key=lambda m: m["seq"],
    )
    assert [m["seq"] for m in events] == list(range(1, len(events) + 1))
    for message in events:
        event = messages.parse_server_message(message).event  # type: ignore[attr-defined]
        assert messages.event_message(message["epoch"], message["seq"], message["rid"], event) == (
            message
        )
        plain = event.model_dump(mode="json", exclude={"html"})
        if "comment" in plain:
            plain["comment"] = _plain(plain["comment"])
        rules.commit(state, operations.parse_event(plain))
    parts = [server["server.snapshot-part0"], server["server.snapshot-part1"]]
    assert parts[0]["seq"] == state.seq
    comments = [c for part in parts for c in part["comments"]]
    assert comments == [messages.wire_comment(c) for c in state.comments.values()]
    assert parts[0]["post"] == messages.wire_post(state.post)
    catchup = server["server.catchup"]["events"]
    assert [(e["seq"], e["rid"], e["event"]) for e in catchup] == [
        (m["seq"], m["rid"], m["event"]) for m in events[1:4]
    ]


def test_omitted_fields_and_optional_parts_stay_out_of_the_json() -> None:
    comment = Comment(id="c1", author="Ann", body="hi")
    assert set(messages.wire_comment(comment)) == set(Comment.model_fields) - set(
        messages.OMITTED_WHEN_EMPTY
    ) | {"html"}
    part = messages.snapshot_message("k", None, "e", 3, 1, 2, [comment])
    assert "post" not in part
    assert "confirmed" not in part
    first = messages.snapshot_message("k", None, "e", 3, 0, 2, [], post=Post(), confirmed=[])
    assert first["confirmed"] == []


def test_builders_refuse_what_the_models_refuse() -> None:
    with pytest.raises(ValueError, match="should match pattern"):
        messages.focus_message("not an id!")
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        messages.snapshot_message("k", None, "e", 1, 0, 0, [])  # parts >= 1


def test_schema_names_every_wire_model() -> None:
    from threadwidget.page.schema import protocol_schema

    defs = protocol_schema()["$defs"]
    for module in (messages, operations):
        for name in dir(module):
            model = getattr(module, name)
            public = not name.startswith("_") and isinstance(model, type)
            if public and issubclass(model, BaseModel) and model.__module__ == module.__name__:
                if model in (operations.AddEvent, operations.EditEvent) or name.startswith(
                    "Replace"
                ):
                    continue  # the wire carries WireAddEvent / WireEditEvent; replace is local
                assert name in defs, name


@pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules").is_dir(),
    reason="needs node and node_modules (npm ci)",
)
def test_generated_typescript_is_up_to_date() -> None:
    spec = importlib.util.spec_from_file_location("gen_protocol", ROOT / "scripts/gen_protocol.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    problems = gen.stale_files()
    assert not problems, "run `python scripts/gen_protocol.py`:\n" + "\n".join(problems)
