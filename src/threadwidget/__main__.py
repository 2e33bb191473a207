"""``python -m threadwidget``: the same command line as the ``threadwidget`` script."""

import sys

from .cli import main

sys.exit(main())
