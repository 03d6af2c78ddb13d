"""The presage binding now lives in the package (``nextkey.evaluate.presage``, used by
``nextkey bench``); this name stays for the benchmarks that import it from bench/."""

from nextkey.evaluate.presage import *  # noqa: F401,F403
from nextkey.evaluate.presage import (  # noqa: F401
    INSTALL_COMMAND, STOCK_CONFIG, STOCK_DATABASE, PresageError, PresageNotInstalled, PresagePredictor,
    database_info, find_library,
)
