"""The threadwidget JupyterHub service: the one authority for shared class threads.

Kernels and pages never touch the database; they call this service, which knows who is calling
from JupyterHub (:mod:`.auth`), takes roles from the hub (:mod:`.roles`), decides every operation
with :func:`threadwidget.core.rules.check` on an :class:`~threadwidget.core.engine.Engine` per
thread
(:mod:`.threads`) and pushes events to every connected kernel and page (:mod:`.handlers`).
Set-up: ``docs/hub.md``. Needs ``pip install "threadwidget[hub]"``.
"""

from __future__ import annotations

__all__ = ["DEFAULT_MODERATOR_GROUP", "DEFAULT_SERVICE_NAME"]

#: Members of this JupyterHub group (and hub admins) moderate every thread.
DEFAULT_MODERATOR_GROUP = "teachers"
#: The service's name in ``c.JupyterHub.services`` (its URL is ``/services/<name>/``).
DEFAULT_SERVICE_NAME = "threadwidget"
