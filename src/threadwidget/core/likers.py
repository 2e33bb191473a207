"""The users who like a comment: an immutable sequence whose versions share one list.

A like is the one change that grows with its comment: copying a tuple of 20,000 names per like
made the 20,000th like cost as much as copying them all. :class:`Likers` is what a
:class:`~threadwidget.core.models.Comment` holds in ``liked_by``: a view of the first ``n`` names
of a list shared by the versions of that comment. Adding a name to the newest version appends to
the list (constant time) and gives a view one longer; every older version still sees its own
``n`` names, so comments stay immutable from the outside. Adding to an older version (a replay)
copies first. Removing a name copies (an unlike is rare next to a like).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, overload

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

__all__ = ["AsLikers", "Likers"]


class Likers(Sequence[str]):
    """The likers of one comment version, oldest first (compares equal to a tuple of them)."""

    __slots__ = ("_items", "_n")

    _items: list[str]
    _n: int

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._items = list(names)
        self._n = len(self._items)

    @classmethod
    def of(cls, names: Iterable[str]) -> Likers:
        """``names`` as Likers (itself if it is one already; the shared empty one if empty)."""
        if type(names) is Likers:  # not isinstance: an ABC's check is slow, loads call this a lot
            return names
        if type(names) is tuple and not names:
            return EMPTY
        found = cls(names)
        return found if found._n else EMPTY

    @classmethod
    def _view(cls, items: list[str], n: int) -> Likers:
        view = cls.__new__(cls)
        view._items, view._n = items, n
        return view

    def plus(self, name: str) -> Likers:
        """These likers and ``name``, in constant time when this is the newest version."""
        if self._n == len(self._items):
            self._items.append(name)
            return Likers._view(self._items, self._n + 1)
        return Likers._view([*self._items[: self._n], name], self._n + 1)

    def minus(self, name: str) -> Likers:
        """These likers without ``name`` (a copy, made in C)."""
        items = self._items[: self._n]
        try:
            items.remove(name)
        except ValueError:
            return self
        return Likers._view(items, len(items)) if items else EMPTY

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[str]:
        return islice(self._items, self._n)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[str, ...]: ...
    def __getitem__(self, index: int | slice) -> str | tuple[str, ...]:
        if isinstance(index, slice):
            return tuple(self._items[: self._n][index])
        if not -self._n <= index < self._n:
            raise IndexError("Likers index out of range")
        return self._items[index % self._n]

    def __contains__(self, name: object) -> bool:
        try:
            self._items.index(name, 0, self._n)  # type: ignore[arg-type]
        except ValueError:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Likers):
            return self._n == other._n and (
                (self._items is other._items) or tuple(self) == tuple(other)
            )
        if isinstance(other, (tuple, list)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (Likers, (tuple(self),))


#: No likers (shared: adding to it copies once another comment has used it).
EMPTY = Likers()


@dataclass(frozen=True)
class AsLikers:
    """``Annotated[Likers, AsLikers(tuple[Name, ...])]``: validated as ``names``, held as
    :class:`Likers`, dumped as a tuple (a JSON array), with ``names``' JSON schema."""

    names: Any

    def __get_pydantic_core_schema__(
        self, _source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        inner = handler.generate_schema(self.names)
        return core_schema.no_info_after_validator_function(
            Likers.of,
            inner,
            serialization=core_schema.plain_serializer_function_ser_schema(
                tuple, return_schema=inner
            ),
        )
