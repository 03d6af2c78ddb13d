"""The accepting typist now lives in the package (``nextkey.evaluate.typist``, used by
``nextkey bench``); this name stays for the benchmarks that import it from bench/."""

from nextkey.evaluate.typist import KINDS, type_accepting  # noqa: F401
