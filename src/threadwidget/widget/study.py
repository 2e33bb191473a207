"""An interface study on one widget (docs/studies.md): its variants per participant and its
interaction log, read back as tables."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import traitlets

from ..core import rules
from ..core.engine import Engine
from ..core.study import VariantPlan
from .variants import apply_variant, valid_plan

__all__ = ["Study"]


class Study:
    """Variants and the interaction log of one engine's thread; ``settings`` is the widget whose
    settings a variant sets, ``role_of`` the role a user has in it."""

    def __init__(
        self,
        engine: Engine,
        settings: traitlets.HasTraits,
        role_of: Callable[[str], rules.Role],
    ) -> None:
        self._engine = engine
        self._settings = settings
        self._role_of = role_of

    def set_variants(
        self,
        variants: Mapping[str, Mapping[str, Any]] | None,
        *,
        seed: int = 0,
        table: Mapping[str, str] | None = None,
        log_interactions: bool = False,
    ) -> VariantPlan | None:
        """Give each participant one of several named settings bundles ({"A": {"sort":
        "newest"}, "B": {"density": "compact"}}): ``table[user]`` when given, else a hash of
        ``seed`` and the user's name; ``log_interactions`` turns every participant's log on.
        Kept with the thread's storage; None removes the plan."""
        if not isinstance(log_interactions, bool):
            raise ValueError(f"log_interactions: must be True or False, not {log_interactions!r}")
        plan = (
            None
            if variants is None
            else valid_plan(self._settings, variants, seed, table, log_interactions)
        )
        self._engine.storage.set_variant_plan(plan)
        return plan

    def variants(self) -> Any:
        """Who gets which variant (participants known from the thread, the log and the table)
        as a DataFrame: user, variant, by ("table" or "hash"), settings. Teachers only on the
        hub (``PermissionError`` otherwise)."""
        from ..extras import require

        storage = self._engine.storage
        if getattr(storage, "role", "moderator") != "moderator":
            raise PermissionError("only teachers (moderators of this thread) see the variants")
        plan = storage.variant_plan()
        pd = require("pandas", "pandas", "ThreadWidget.variants")
        columns = ["user", "variant", "by", "settings"]
        if plan is None:
            return pd.DataFrame(columns=columns)
        people = {c.author for c in self._engine.thread.comments} | set(plan.table)
        people |= {str(r["user"]) for r in storage.interactions()}
        rows = [
            (u, plan.assign(u), "table" if u in plan.table else "hash", plan.settings_of(u))
            for u in sorted(people)
        ]
        return pd.DataFrame(rows, columns=columns)

    def variant_of(self, user: str) -> str | None:
        """The variant ``user`` gets (None: no variants)."""
        plan = self._engine.storage.variant_plan()
        return None if plan is None else plan.assign(user)

    def apply(self, user: str) -> str | None:
        """Set ``user``'s variant on the widget; its name (None: no plan, or a teacher, who
        keeps their own settings)."""
        storage = self._engine.storage
        plan = storage.variant_plan()
        user = getattr(storage, "user", "") or user  # the hub's verified name first
        if plan is None or self._role_of(user) == "moderator":
            return None
        apply_variant(self._settings, plan.settings_of(user))
        if plan.log_interactions:  # the study logs every participant (the page says so)
            self._settings.set_trait("log_interactions", True)
        return plan.assign(user)

    def interactions(self, *, anonymize: bool = False, seed: int = 0) -> Any:
        """The interaction log as a DataFrame (user, variant, at, kind, id, value, ms); with
        ``anonymize`` the thread's pseudonyms (``Thread.anonymize(seed)``) stand for users.
        Teachers only on the hub (``PermissionError`` otherwise)."""
        from ..analysis.study import interactions_frame

        rows = self.interaction_rows()
        plan = self._engine.storage.variant_plan()
        variant_of = (lambda u: plan.assign(u)) if plan is not None else None
        frame = interactions_frame(rows, variant_of)
        if anonymize:
            from ..analysis.anonymize import anonymize as anon
            from ..analysis.anonymize import anonymize_interactions

            _, key = anon(self._engine.thread, seed)
            frame["user"] = [r["user"] for r in anonymize_interactions(rows, key)]
            frame.loc[frame["kind"] == "filter", "value"] = "[text]"
        return frame

    def interaction_rows(self) -> list[dict[str, Any]]:
        """The interaction log's rows as dicts, oldest first (no pandas needed)."""
        try:
            return self._engine.storage.interactions()
        except rules.OperationRejected as error:
            raise PermissionError(error.reason) from None

    def export_interactions(
        self, path: str | os.PathLike[str], *, anonymize: bool = False, seed: int = 0
    ) -> Path:
        """Write the interaction log to ``path``: CSV, or JSON lines for ``.jsonl``."""
        frame = self.interactions(anonymize=anonymize, seed=seed)
        target = Path(path)
        if target.suffix == ".jsonl":
            frame.to_json(target, orient="records", lines=True, date_format="iso")
        else:
            frame.to_csv(target, index=False)
        return target
