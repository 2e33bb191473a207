"""Fail when a built wheel lacks the frontend bundle (the widget would render nothing)."""

from __future__ import annotations

import sys
import zipfile

REQUIRED = (
    "threadwidget/strings.json",
    "threadwidget/static/widget.js",
    "threadwidget/static/widget.css",
    # the bundled dependencies' license notices (esbuild --legal-comments=external)
    "threadwidget/static/widget.js.LEGAL.txt",
    "threadwidget/py.typed",
)


def main(paths: list[str]) -> int:
    if not paths:
        print("usage: check_wheel.py WHEEL...", file=sys.stderr)
        return 2
    for path in paths:
        names = set(zipfile.ZipFile(path).namelist())
        missing = [name for name in REQUIRED if name not in names]
        if missing:
            print(f"{path}: missing {', '.join(missing)}", file=sys.stderr)
            return 1
        size = zipfile.ZipFile(path).getinfo("threadwidget/static/widget.js").file_size
        print(f"{path}: ok (widget.js {size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
