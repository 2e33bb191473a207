#!/usr/bin/env bash
# Install everything the tests need on a fresh Debian machine, then run every test layer:
# lint + types, frontend unit tests (vitest), Python tests, real-browser tests (JupyterLab +
# headless Debian chromium via Playwright; the shared-thread tests against a throwaway PostgreSQL
# server), and a check that the built wheel carries every data file and runs installed.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

step "system packages (Debian chromium and fonts for the browser tests)"
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi dejavu; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq chromium fonts-liberation fonts-dejavu-core >/dev/null
fi
chromium --version

step "PostgreSQL server programs (the shared-thread tests start their own throwaway server)"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v initdb >/dev/null 2>&1; then
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq postgresql >/dev/null
fi
ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null || command -v initdb

step "frontend dependencies (npm ci, from package-lock.json)"
npm ci --no-audit --no-fund

step "Python package (its build hook bundles the frontend with esbuild) and test dependencies"
rm -rf src/threadwidget/static   # prove the install-time build works, never test a stale bundle
python -m pip install -q -e ".[test]"
ls -l src/threadwidget/static

step "lint and types"
ruff check .   # the package, tests, scripts, benchmarks and the example notebooks
ruff format --check .
mypy   # strict, on src/threadwidget: [tool.mypy] in pyproject.toml
lint-imports   # the layers' import rules: [tool.importlinter] in pyproject.toml
npm run typecheck
npm run lint
npm run format:check   # Prettier (.prettierrc.json)

step "wire protocol: js/src/generated/ regenerated from the pydantic models and compared"
python scripts/gen_protocol.py --check

step "bundle size: JavaScript + CSS gzipped within the budget (scripts/check_bundle_size.py)"
python scripts/check_bundle_size.py

step "frontend unit tests (vitest)"
npm test

step "Python and real-browser tests (pytest)"
# the installed-wheel test runs below, on the wheel this script builds
python -m pytest -p no:cacheprovider tests --ignore=tests/hub/test_installed_wheel.py

step "wheel carries every data file; the hub service and its page work from it installed"
rm -rf dist
python -m build --wheel --outdir dist . >/dev/null
python scripts/check_wheel.py dist/*.whl
THREADWIDGET_WHEEL="$(ls dist/*.whl)" python -m pytest -p no:cacheprovider tests/hub/test_installed_wheel.py
