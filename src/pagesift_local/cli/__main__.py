"""``python -m pagesift_local.cli``: the ``pagesift`` command, without its installed script."""

import sys

from pagesift_local.cli.parser import main

sys.exit(main())
