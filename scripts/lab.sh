#!/usr/bin/env bash
# Install threadwidget (building its frontend) with JupyterLab, then open the quickstart notebook.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q -e ".[lab]"
exec jupyter lab examples/quickstart.ipynb "$@"
