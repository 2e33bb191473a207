"""Generate the protocol's JSON Schema and TypeScript types from the pydantic models.

python scripts/gen_protocol.py          # rewrite js/src/generated/protocol.{schema.json,ts}
python scripts/gen_protocol.py --check  # regenerate into a temporary folder and compare
"""

from __future__ import annotations

import argparse
import difflib
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from threadwidget.page.schema import protocol_schema

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "js" / "src" / "generated"
NAMES = ("protocol.schema.json", "protocol.ts")


def generate(folder: Path) -> list[Path]:
    """Write the schema and the TypeScript types (json-schema-to-typescript) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    schema = json.dumps(protocol_schema(), indent=2, ensure_ascii=False) + "\n"
    (folder / NAMES[0]).write_text(schema, encoding="utf-8")
    result = subprocess.run(
        ["node", str(ROOT / "scripts" / "json2ts.mjs")],
        input=schema.encode(),
        capture_output=True,
        cwd=ROOT,
        check=False,
    )
    if result.returncode != 0:
        sys.exit(f"json-schema-to-typescript failed:\n{result.stderr.decode()}")
    (folder / NAMES[1]).write_bytes(result.stdout)
    return [folder / name for name in NAMES]


def stale_files() -> list[str]:
    """Differences between the checked-in files and freshly generated ones (empty: up to date)."""
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for fresh in generate(Path(tmp)):
            current = OUT / fresh.name
            old = current.read_text(encoding="utf-8").splitlines() if current.exists() else []
            new = fresh.read_text(encoding="utf-8").splitlines()
            if old != new:
                diff = difflib.unified_diff(old, new, str(current), "generated", lineterm="", n=1)
                problems.append("\n".join(list(diff)[:40]))
    return problems


def main() -> None:
    """Write the generated files, or with ``--check`` fail if they are out of date."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args()
    if not args.check:
        for path in generate(OUT):
            print(f"wrote {path.relative_to(ROOT)}")
        return
    problems = stale_files()
    if problems:
        print("\n\n".join(problems), file=sys.stderr)
        sys.exit(
            "js/src/generated/ is out of date with the pydantic models of the wire protocol: "
            "run `python scripts/gen_protocol.py` and commit the result."
        )
    print("js/src/generated/ matches the pydantic models")


if __name__ == "__main__":
    main()
