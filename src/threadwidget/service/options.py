"""The options of ``threadwidget serve`` (no JupyterHub import: the CLI builds them always)."""

from __future__ import annotations

import argparse
import os

from . import DEFAULT_MODERATOR_GROUP

__all__ = ["build_parser"]


def build_parser(parser: argparse.ArgumentParser | None = None) -> argparse.ArgumentParser:
    """The options of ``threadwidget serve``."""
    parser = parser or argparse.ArgumentParser(prog="threadwidget serve")
    parser.add_argument(
        "--store",
        default=os.environ.get("THREADWIDGET_STORE"),
        help="SQLite path or postgresql:// URL (default: $THREADWIDGET_STORE, else "
        "DATA_DIR/threads.db)",
    )
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("THREADWIDGET_DATA_DIR", "."),
        help="where the SQLite store, per-thread roles and the cookie secret live (default: .)",
    )
    parser.add_argument(
        "--moderator-group",
        default=os.environ.get("THREADWIDGET_MODERATOR_GROUP", DEFAULT_MODERATOR_GROUP),
        help="JupyterHub group whose members moderate (default: teachers); admins always do",
    )
    parser.add_argument(
        "--auth-cache-seconds",
        type=float,
        default=float(os.environ.get("THREADWIDGET_AUTH_CACHE_SECONDS", "30")),
        help="how long the hub's answer on a token and a user's groups is trusted; open "
        "streams ask the hub again after it (default: 30)",
    )
    parser.add_argument(
        "--max-streams-per-user",
        type=int,
        default=int(os.environ.get("THREADWIDGET_MAX_STREAMS_PER_USER", "16")),
        help="open push channels per user (kernels and pages; default: 16)",
    )
    parser.add_argument(
        "--reads-per-second",
        type=float,
        default=float(os.environ.get("THREADWIDGET_READS_PER_SECOND", "20")),
        help="reads per user and second, after a burst of six seconds' worth (default: 20)",
    )
    parser.add_argument("--ip", default=None, help="default: from $JUPYTERHUB_SERVICE_URL")
    parser.add_argument("--port", type=int, default=None, help="default: $JUPYTERHUB_SERVICE_URL")
    return parser
