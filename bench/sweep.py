"""The model sweep moved into the package: ``nextkey sweep`` (nextkey.train.sweep).

    python bench/sweep.py --corpus data/corpus-nomoby --out reports/sweep   # the same as nextkey sweep
"""

import sys

from nextkey.train.sweep import main

if __name__ == "__main__":
    sys.exit(main())
