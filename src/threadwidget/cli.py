"""The ``threadwidget`` command: convert between formats, summarize a file, make a standalone page.

Exit codes: 0 success, 1 the input could not be read or the output not written, 2 usage error.
Warnings about dropped or re-attached comments go to stderr; progress too, for files with more
than 5,000 comments.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .core.models import Completeness, Thread
from .formats import (
    FORMATS,
    BundleMissingError,
    LoadReport,
    ThreadFileError,
    load_with_report,
    render,
    save,
)
from .formats import format_for_path as _format_for_path

__all__ = ["main", "summary"]

EXIT_OK, EXIT_INPUT, EXIT_USAGE = 0, 1, 2

_READABLE = [n for n, f in FORMATS.items() if f.read]
_WRITABLE = [n for n, f in FORMATS.items() if f.write]


def _progress(name: str) -> Any:
    def report(count: int) -> None:
        print(f"{name}: {count:,} comments read…", file=sys.stderr, flush=True)

    return report


def _load(args: argparse.Namespace, path: str) -> tuple[Thread, LoadReport]:
    """Load the input named on the command line, printing the import report to stderr."""
    thread, report = load_with_report(
        path,
        args.from_format,
        errors=args.errors,
        select=args.select,
        progress=_progress(path),
    )
    text = report.summary()
    if text:
        print(text, file=sys.stderr)
    return thread, report


def summary(thread: Thread) -> dict[str, Any]:
    """Counts, depth, participants and date range of a thread, as JSON-ready data."""
    comments = thread.comments
    depth: dict[str, int] = {}
    for comment in comments:  # parents may come after children: resolve lazily
        chain, current = [], comment
        while current.id not in depth:
            chain.append(current.id)
            if current.parent_id is None:
                depth[current.id] = 0
                chain.pop()
                break
            current = thread.get(current.parent_id)
        base = depth[current.id]
        for offset, cid in enumerate(reversed(chain), start=1):
            depth[cid] = base + offset
    authors = Counter(c.author for c in comments if c.status == "visible")
    times = sorted(c.created_at for c in comments)
    return {
        "title": thread.post.title,
        "post_author": thread.post.author,
        "post_created_at": thread.post.created_at.isoformat(),
        "comments": len(comments),
        "visible": thread.visible_count(),
        "deleted": sum(1 for c in comments if c.status == "deleted"),
        "moderated": sum(1 for c in comments if c.status in ("hidden", "spam", "removed")),
        "top_level": sum(1 for c in comments if c.parent_id is None),
        "max_depth": max(depth.values(), default=-1) + 1,
        "participants": len(authors),
        "top_participants": [{"author": a, "comments": n} for a, n in authors.most_common(5)],
        "likes": sum(c.likes for c in comments),
        "first_comment_at": times[0].isoformat() if times else None,
        "last_comment_at": times[-1].isoformat() if times else None,
    }


def _print_summary(info: dict[str, Any], report: LoadReport) -> None:
    print(f"{info['title'] or '(untitled)'}  by {info['post_author']}  ({report.format})")
    print(f"  posted        {info['post_created_at']}")
    print(
        f"  comments      {info['comments']:,} ({info['visible']:,} visible, "
        f"{info['deleted']:,} deleted"
        + (f", {info['moderated']:,} moderated" if info["moderated"] else "")
        + f"), {info['top_level']:,} top-level"
    )
    print(f"  reply depth   {info['max_depth']} level(s)")
    top = ", ".join(f"{p['author']} ({p['comments']})" for p in info["top_participants"])
    print(f"  participants  {info['participants']:,}" + (f": {top}" if top else ""))
    print(f"  likes         {info['likes']:,}")
    if info["first_comment_at"]:
        print(f"  date range    {info['first_comment_at']} to {info['last_comment_at']}")
    if report.flagged:
        print(f"  moderated     {len(report.flagged)} (spam/pending/dead/removed: for moderators)")
    if report.gaps:
        print(f"  completeness  {Completeness(gaps=tuple(report.gaps)).text()}")
    elif report.not_loaded:
        print(f"  not in file   {report.not_loaded:,} comment(s) the source mentions")


def _cmd_info(args: argparse.Namespace) -> int:
    thread, report = _load(args, args.file)
    info = summary(thread)
    if args.json:
        info["format"] = report.format
        info["flagged"] = len(report.flagged)
        info["dropped"] = len(report.dropped)
        info["not_loaded"] = report.not_loaded
        info["incomplete"] = Completeness(gaps=tuple(report.gaps)).text()
        print(json.dumps(info, indent=2, ensure_ascii=False))
    else:
        _print_summary(info, report)
    return EXIT_OK


def _write(thread: Thread, out: str, fmt: str | None, parser: argparse.ArgumentParser) -> None:
    if out == "-":
        if fmt is None:
            parser.error("writing to stdout (-) needs --to")
        sys.stdout.write(render(thread, fmt))
        return
    if fmt is None and _format_for_path(out) is None:
        parser.error(
            f"cannot tell the output format from {out!r}; pass --to ({', '.join(_WRITABLE)})"
        )
    try:
        save(thread, out, fmt)
    except OSError as error:
        raise ThreadFileError(
            f"{out}: cannot write the file ({error.strerror or error})"
        ) from error
    print(f"wrote {out} ({len(thread.comments):,} comments)", file=sys.stderr)


def _cmd_convert(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    thread, _ = _load(args, args.input)
    _write(thread, args.output, args.to_format, parser)
    return EXIT_OK


def _cmd_html(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    thread, _ = _load(args, args.file)
    out = args.output or str(Path(args.file).with_suffix(".html"))
    _write(thread, out, "html", parser)
    return EXIT_OK


def _base_urls(values: Sequence[str], parser: argparse.ArgumentParser) -> dict[str, str]:
    """``KIND=URL`` options as ``base_urls``; a bad one is a usage error naming the kinds."""
    from .sources import SOURCES

    kinds = [s.name for s in SOURCES]
    found: dict[str, str] = {}
    for value in values:
        kind, _, url = value.partition("=")
        if kind.strip() not in kinds or not url.strip().startswith(("http://", "https://")):
            parser.error(
                f"--base-url {value!r}: expected KIND=URL with KIND one of {', '.join(kinds)} "
                "and an http(s) URL, e.g. --base-url hackernews=http://127.0.0.1:8765"
            )
        found[kind.strip()] = url.strip()
    return found


def _cmd_fetch(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from .formats import ThreadLoadWarning
    from .sources import FetchError, FetchWarning, UnsupportedURLError, fetch  # imports httpx

    options: dict[str, Any] = {
        "refresh": args.refresh,
        "cache_dir": args.cache_dir,
        "base_urls": _base_urls(args.base_url or [], parser),
        "progress": not args.no_progress,
    }
    for name in ("timeout", "max_pages", "deadline", "max_wait", "max_bytes"):
        if getattr(args, name) is not None:
            options[name] = getattr(args, name)
    if args.deadline is not None and args.deadline <= 0:
        options["deadline"] = None
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            thread = fetch(args.url, **options)
    except UnsupportedURLError as error:
        print(f"threadwidget: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except FetchError as error:
        print(f"threadwidget: error: {error}", file=sys.stderr)
        return EXIT_INPUT
    for warning in caught:  # what the import filled in, or a page limit reached
        if issubclass(warning.category, (ThreadLoadWarning, FetchWarning)):
            print(f"threadwidget: warning: {warning.message}", file=sys.stderr)
    _write(thread, args.output, args.to_format, parser)
    return EXIT_OK


def _cmd_cache(args: argparse.Namespace) -> int:
    from .sources.cache import Cache

    cache = Cache(args.cache_dir)
    count, size = cache.size()
    if args.clear:
        removed = cache.clear()
        print(f"removed {removed:,} cached answers ({size / 1e6:,.1f} MB) from {cache.directory}")
    else:
        limit = cache.max_bytes / 1e6
        print(
            f"{cache.directory}: {count:,} cached answers, {size / 1e6:,.1f} MB of {limit:,.0f} MB"
        )
    return EXIT_OK


def _add_to_option(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--to", dest="to_format", metavar="FMT", choices=_WRITABLE, help=", ".join(_WRITABLE)
    )


def _add_input_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument(
        "--from",
        dest="from_format",
        metavar="FMT",
        choices=_READABLE,
        help=f"input format (default: detected from the content): {', '.join(_READABLE)}",
    )
    sub.add_argument(
        "--errors",
        choices=("raise", "skip"),
        default="raise",
        help="on a malformed comment: fail (raise, the default) or drop it and go on (skip)",
    )
    sub.add_argument(
        "--select",
        metavar="POST",
        help="in a multi-post export (Blogger, Disqus, WordPress): the post's id, title or link",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation tools and tests)."""
    parser = argparse.ArgumentParser(
        prog="threadwidget",
        description="Convert, summarize and publish threaded discussions.",
        epilog="Exit codes: 0 ok, 1 input or output file problem, 2 usage error.",
    )
    subs = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    convert = subs.add_parser(
        "convert",
        help="convert a discussion file to another format",
        description="Read IN (any supported format) and write OUT; the output format comes "
        "from OUT's extension (.json .md .csv .html) or --to. OUT may be - for stdout.",
    )
    convert.add_argument("input", metavar="IN")
    convert.add_argument("output", metavar="OUT")
    _add_to_option(convert)
    _add_input_options(convert)

    info = subs.add_parser(
        "info",
        help="summarize a discussion file",
        description="Print counts, reply depth, participants and date range of FILE.",
    )
    info.add_argument("file", metavar="FILE")
    info.add_argument("--json", action="store_true", help="print the summary as JSON")
    _add_input_options(info)

    html = subs.add_parser(
        "html",
        help="write a standalone read-only HTML page",
        description="Write FILE as one self-contained HTML page that shows the thread without "
        "Jupyter or network access.",
    )
    html.add_argument("file", metavar="FILE")
    html.add_argument("-o", "--output", metavar="OUT", help="output file (default: FILE.html)")
    _add_input_options(html)

    fetched = subs.add_parser(
        "fetch",
        help="fetch a discussion from the web (HN, Reddit, Mastodon, Bluesky, ...)",
        description="Fetch the thread at URL (as copied from the browser) and write it to OUT; "
        "responses are cached, so running it again works offline. See docs/formats.md.",
    )
    fetched.add_argument("url", metavar="URL")
    fetched.add_argument("-o", "--output", metavar="OUT", default="thread.json")
    _add_to_option(fetched)
    fetched.add_argument("--refresh", action="store_true", help="ignore the cache")
    fetched.add_argument("--cache-dir", metavar="DIR", help="cache directory")
    fetched.add_argument(
        "--base-url",
        action="append",
        metavar="KIND=URL",
        help="send a source's API requests elsewhere, e.g. hackernews=http://127.0.0.1:8765 "
        "(repeatable; KIND as in docs/formats.md)",
    )
    fetched.add_argument(
        "--timeout", type=float, metavar="S", help="seconds one request may take (default 30)"
    )
    fetched.add_argument(
        "--deadline",
        type=float,
        metavar="S",
        help="seconds the whole fetch may take (default 180; 0: no bound)",
    )
    fetched.add_argument(
        "--max-pages", type=int, metavar="N", help="pages read at most (default 100)"
    )
    fetched.add_argument(
        "--max-wait",
        type=float,
        metavar="S",
        help="longest Retry-After wait accepted (default 60); longer stops with an error",
    )
    fetched.add_argument(
        "--max-bytes", type=int, metavar="N", help="largest answer read (default 50 MB)"
    )
    fetched.add_argument(
        "--no-progress", action="store_true", help="no status line on stderr while fetching"
    )

    cached = subs.add_parser(
        "cache",
        help="show or clear the cache of fetched answers",
        description="Print where the cache of fetched answers is and its size; --clear empties it.",
    )
    cached.add_argument("--cache-dir", metavar="DIR", help="cache directory")
    cached.add_argument("--clear", action="store_true", help="remove every cached answer")

    serve = subs.add_parser(
        "serve",
        help="run the threadwidget JupyterHub service (docs/hub.md)",
        description="Serve shared threads as a JupyterHub service: identity from the hub, one "
        "authority for every kernel and page. Needs threadwidget[hub].",
    )
    _add_serve_options(serve)
    return parser


def _add_serve_options(sub: argparse.ArgumentParser) -> None:
    from .service.options import build_parser as serve_parser

    serve_parser(sub)


def _cmd_serve(args: argparse.Namespace) -> int:
    try:
        from .service.app import run
    except ImportError as error:
        print(
            f"threadwidget: error: {error}; install it with: pip install 'threadwidget[hub]'",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return run(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code (the console script exits with it)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "info":
            return _cmd_info(args)
        if args.command == "convert":
            return _cmd_convert(args, parser)
        if args.command == "serve":
            return _cmd_serve(args)
        if args.command == "fetch":
            return _cmd_fetch(args, parser)
        if args.command == "cache":
            return _cmd_cache(args)
        return _cmd_html(args, parser)
    except (ThreadFileError, BundleMissingError) as error:
        print(f"threadwidget: error: {error}", file=sys.stderr)
        return EXIT_INPUT
    except ValueError as error:  # e.g. select= with a format that has one post
        print(f"threadwidget: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # pragma: no cover - `threadwidget convert x - | head`
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
