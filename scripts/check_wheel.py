"""Fail when a built wheel lacks a data file the package reads at run time.

Every file of ``src/threadwidget`` that is not Python source (the widget bundle, the service's
web page script and style, the strings, ``py.typed``) must be in the wheel: without the bundle
the widget renders nothing, without ``service/static/page.*`` the service's page draws nothing.
The list is taken from the source tree after the build (so a new data file is checked the day it
is added), plus the files named below, which must exist in any case.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "threadwidget"

#: Checked even when the source tree is not at hand (or lacks a built bundle).
REQUIRED = (
    "threadwidget/strings.json",
    "threadwidget/static/widget.js",
    "threadwidget/static/widget.css",
    # the bundled dependencies' license notices (esbuild --legal-comments=external)
    "threadwidget/static/widget.js.LEGAL.txt",
    "threadwidget/service/static/page.js",
    "threadwidget/service/static/page.css",
    "threadwidget/py.typed",
)


def data_files(package: Path = PACKAGE) -> list[str]:
    """Every non-Python file of the package in the source tree, as wheel paths."""
    if not package.is_dir():
        return []
    return sorted(
        "threadwidget/" + path.relative_to(package).as_posix()
        for path in package.rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    )


def missing_from(wheel: str, needed: list[str]) -> list[str]:
    """The files of ``needed`` that ``wheel`` lacks."""
    names = set(zipfile.ZipFile(wheel).namelist())
    return [name for name in needed if name not in names]


def main(paths: list[str]) -> int:
    if not paths:
        print("usage: check_wheel.py WHEEL...", file=sys.stderr)
        return 2
    needed = sorted(set(REQUIRED) | set(data_files()))
    for path in paths:
        missing = missing_from(path, needed)
        if missing:
            print(f"{path}: missing {', '.join(missing)}", file=sys.stderr)
            return 1
        size = zipfile.ZipFile(path).getinfo("threadwidget/static/widget.js").file_size
        print(f"{path}: ok ({len(needed)} data files; widget.js {size:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
