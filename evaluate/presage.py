"""ctypes binding to libpresage's C API (Debian's ``presage`` 0.9), used as the
peer engine in ``nextkey bench`` and ``bench/compare_presage.py``.

presage is driven the way an application drives it: it pulls the text before
the cursor through a "past stream" callback, and ``presage_predict`` returns the
tokens that complete the word being typed. :class:`PresagePredictor` turns those
tokens into whole words, which is what the shared typing simulator
(``nextkey.evaluate.typing_sim``) selects::

    from nextkey.evaluate.presage import PresagePredictor
    with PresagePredictor() as p:                 # stock config and English database
        p("He finally won the N", 3)              # ['Next', 'Night', 'Nineteenth']
        p("I don'", 3)                            # ["don't", "don'the", "don'and"]
    PresagePredictor(db_path="runs/presage/database_train.db", lowercase=False)

What presage does on its own, and what this wrapper adds (all observed with
0.9.1):

* presage's tokenizer splits words at apostrophes and hyphens ("don't" is the
  tokens "don" and "t"; after "I don'" it predicts "t"). The whole word is the
  part of the word already typed plus presage's completion, so "don't" is
  offered once "don'" is typed, never before.
* With ``LOWERCASE_MODE`` on (the stock setting; the stock database has only
  lowercase words) it predicts "her" after "He". With it off the prefix still
  matches case-insensitively (SQLite ``LIKE``), so "the" is offered after "T".
  Either way the letters typed are kept and only the completion is appended,
  which is what ``presage_completion`` does (it appends the rest of the token
  and a space); the wrapper computes that itself because
  ``presage_completion`` raises a prefix mismatch for "The" after "Th" when
  lowercase mode is off. Words that then coincide ("the" and "The" after "Th")
  are offered once.
* With ``REPEAT_SUGGESTIONS`` off (stock) the selector does not offer a word
  again until the context changes (a new word), so a call depends on the calls
  before it: ask in typing order, as a keyboard does.

The constructor never touches ``~/.presage``: it writes the effective
configuration (the base XML with this object's settings applied) to a private
temporary file, so the user model (``UserSmoothedNgramPredictor``, which learns
into ``~/.presage/lm.db``) is only created when asked for.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import re
import shutil
import sqlite3
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

from nextkey.engine.text import partial_word

INSTALL_COMMAND = "apt-get update && apt-get install -y presage libpresage-dev"
STOCK_CONFIG = Path("/etc/presage.xml")
STOCK_DATABASE = Path("/usr/share/presage/database_en.db")

PREDICTORS = "Presage.PredictorRegistry.PREDICTORS"
DBFILENAME = "Presage.Predictors.DefaultSmoothedNgramPredictor.DBFILENAME"
LOWERCASE_MODE = "Presage.ContextTracker.LOWERCASE_MODE"
ONLINE_LEARNING = "Presage.ContextTracker.ONLINE_LEARNING"
SUGGESTIONS = "Presage.Selector.SUGGESTIONS"
REPEAT_SUGGESTIONS = "Presage.Selector.REPEAT_SUGGESTIONS"

# /etc/presage.xml's PREDICTORS less UserSmoothedNgramPredictor (see PresagePredictor).
STOCK_PREDICTORS_WITHOUT_LEARNING = (
    "DefaultAbbreviationExpansionPredictor", "DefaultSmoothedNgramPredictor", "DefaultRecencyPredictor")

# presage_error_code_t, in the order of presageException.h.
_ERRORS = (
    "PRESAGE_OK", "PRESAGE_ERROR", "PRESAGE_TOKEN_PREFIX_MISMATCH_ERROR",
    "PRESAGE_SMOOTHED_NGRAM_PREDICTOR_LEARN_ERROR", "PRESAGE_CONFIG_VARIABLE_ERROR",
    "PRESAGE_INVALID_CALLBACK_ERROR", "PRESAGE_INVALID_SUGGESTION_ERROR",
    "PRESAGE_INIT_PREDICTOR_ERROR", "PRESAGE_SQLITE_OPEN_DATABASE_ERROR",
    "PRESAGE_SQLITE_EXECUTE_SQL_ERROR",
)


# typedef const char* (*_presage_callback_get_past_stream)(void*). The return
# type is declared void* so the callback can hand back the address of a buffer
# this object owns: a c_char_p return from a Python callback would point into a
# temporary bytes object.
_STREAM_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p)


class PresageError(RuntimeError):
    """A presage C API call failed."""


class PresageNotInstalled(PresageError):
    def __init__(self, what: str):
        super().__init__(f"{what} not found; install presage with: {INSTALL_COMMAND}")


def find_library() -> str:
    """Path or soname of libpresage, or raise :class:`PresageNotInstalled`."""
    name = ctypes.util.find_library("presage")
    if name is None:
        raise PresageNotInstalled("libpresage")
    return name


def _load_library() -> ctypes.CDLL:
    lib = ctypes.CDLL(find_library())
    p, c_str, handle = ctypes.c_void_p, ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)
    string_array = ctypes.POINTER(ctypes.c_char_p)
    signatures = {
        "presage_new_with_config": [_STREAM_CALLBACK, p, _STREAM_CALLBACK, p, c_str, handle],
        "presage_predict": [p, ctypes.POINTER(string_array)],
        "presage_prefix": [p, ctypes.POINTER(ctypes.c_void_p)],
        "presage_config": [p, c_str, ctypes.POINTER(ctypes.c_void_p)],
        "presage_config_set": [p, c_str, c_str],
        "presage_learn": [p, c_str],
    }
    for fn, argtypes in signatures.items():
        getattr(lib, fn).argtypes = argtypes
        getattr(lib, fn).restype = ctypes.c_int
    # Strings returned by presage are freed by presage, so they come back as
    # void* (a c_char_p result would be copied and the pointer lost).
    lib.presage_free.argtypes, lib.presage_free.restype = [p], None
    lib.presage_free_string.argtypes, lib.presage_free_string.restype = [p], None
    lib.presage_free_string_array.argtypes, lib.presage_free_string_array.restype = [string_array], None
    return lib


def database_info(db_path: Path) -> dict:
    """The n-gram orders and row counts of a presage sqlite database."""
    con = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        counts = {t: con.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in sorted(tables) if re.fullmatch(r"_\d+_gram", t)}
    finally:
        con.close()
    return {"path": str(db_path), "bytes": db_path.stat().st_size, "ngram_rows": counts}


def _bool(value: bool) -> str:
    return "yes" if value else "no"


class PresagePredictor:
    """``predict(text_before_cursor, n) -> whole words, best first`` backed by presage.

    ``config_path``: base XML (default: the stock ``/etc/presage.xml``).
    ``db_path``: n-gram sqlite database for ``DefaultSmoothedNgramPredictor``
    (default: the one the base XML names, the stock English database).
    ``lowercase``: ``LOWERCASE_MODE``; ``None`` keeps the base XML's value.
    ``predictors``: the ``PREDICTORS`` list. The default is the stock list
    without ``UserSmoothedNgramPredictor``, which learns from what is typed
    (with ``online_learning``) into ``~/.presage/lm.db``: it would let the
    engine adapt to the test text and carry that over from run to run. The
    recency predictor stays: it only looks at the text before the cursor.
    ``settings``: any other configuration variables, by their dotted names.
    """

    def __init__(self, config_path: str | Path | None = None, db_path: str | Path | None = None,
                 suggestions: int = 3, *, lowercase: bool | None = None,
                 predictors: tuple[str, ...] = STOCK_PREDICTORS_WITHOUT_LEARNING,
                 online_learning: bool = False, settings: Mapping[str, str] | None = None):
        if suggestions < 1:
            raise ValueError(f"suggestions must be at least 1, got {suggestions}")
        config_path = Path(config_path) if config_path is not None else STOCK_CONFIG
        if not config_path.is_file():
            if config_path == STOCK_CONFIG:
                raise PresageNotInstalled(str(STOCK_CONFIG))
            raise FileNotFoundError(f"presage config {config_path} does not exist")
        # sqlite would silently create an empty database at a wrong path.
        if db_path is not None and not Path(db_path).is_file():
            raise FileNotFoundError(f"presage n-gram database {db_path} does not exist")

        overrides = {PREDICTORS: " ".join(predictors), ONLINE_LEARNING: _bool(online_learning),
                     SUGGESTIONS: str(suggestions)}
        if db_path is not None:
            overrides[DBFILENAME] = str(Path(db_path).resolve())
        if lowercase is not None:
            overrides[LOWERCASE_MODE] = _bool(lowercase)
        overrides.update(settings or {})

        self._lib = _load_library()
        self._handle = ctypes.c_void_p()
        self._tmpdir = Path(tempfile.mkdtemp(prefix="presage-"))
        effective = self._tmpdir / "presage.xml"
        _write_config(config_path, overrides, effective)

        self._past = ctypes.create_string_buffer(b"")
        self._future = ctypes.create_string_buffer(b"")
        # Kept on self: presage calls them for as long as the handle lives.
        self._past_cb = _STREAM_CALLBACK(lambda _arg: ctypes.addressof(self._past))
        self._future_cb = _STREAM_CALLBACK(lambda _arg: ctypes.addressof(self._future))
        self._check(self._lib.presage_new_with_config(
            self._past_cb, None, self._future_cb, None, str(effective).encode(), ctypes.byref(self._handle)),
            f"presage_new_with_config({effective})")
        self._suggestions = suggestions

    # -- configuration -------------------------------------------------------

    def get(self, variable: str) -> str:
        out = ctypes.c_void_p()
        self._check(self._lib.presage_config(self._live(), variable.encode(), ctypes.byref(out)),
                    f"presage_config({variable!r})")
        try:
            return ctypes.string_at(out).decode()
        finally:
            self._lib.presage_free_string(out)

    def set(self, variable: str, value: str) -> None:
        self._check(self._lib.presage_config_set(self._live(), variable.encode(), value.encode()),
                    f"presage_config_set({variable!r}, {value!r})")
        if variable == SUGGESTIONS:
            self._suggestions = int(value)

    def use_database(self, db_path: str | Path) -> None:
        """Point the n-gram predictor at another sqlite database."""
        db_path = Path(db_path)
        if not db_path.is_file():
            raise FileNotFoundError(f"presage n-gram database {db_path} does not exist")
        self.set(DBFILENAME, str(db_path.resolve()))

    # -- prediction ----------------------------------------------------------

    def __call__(self, text_before_cursor: str, n: int) -> list[str]:
        if n != self._suggestions:
            self.set(SUGGESTIONS, str(n))
        self._past = ctypes.create_string_buffer(text_before_cursor.encode())
        tokens = self._predict_tokens()
        prefix = self._prefix()
        typed = partial_word(text_before_cursor)  # the engine's rule for the word being typed
        # presage's prefix is normally the tail of what was typed (lowercased in
        # lowercase mode): keep the typed letters, append the rest of each token.
        # Where the two tokenizers disagree (a symbol presage counts as a letter,
        # "£5"), presage's token is taken as the word.
        joins = typed.lower().endswith(prefix.lower())
        words: list[str] = []
        for token in tokens:
            word = typed + token[len(prefix):] if joins else token
            if word not in words:
                words.append(word)
        return words[:n]

    def tokens(self, text_before_cursor: str) -> list[str]:
        """presage's raw prediction (tokens, not whole words), for inspection."""
        self._past = ctypes.create_string_buffer(text_before_cursor.encode())
        return self._predict_tokens()

    def _predict_tokens(self) -> list[str]:
        array = ctypes.POINTER(ctypes.c_char_p)()
        self._check(self._lib.presage_predict(self._live(), ctypes.byref(array)), "presage_predict")
        out = []
        try:
            i = 0
            while array[i] is not None:
                out.append(array[i].decode("utf-8", errors="replace"))
                i += 1
        finally:
            self._lib.presage_free_string_array(array)
        return out

    def _prefix(self) -> str:
        out = ctypes.c_void_p()
        self._check(self._lib.presage_prefix(self._live(), ctypes.byref(out)), "presage_prefix")
        try:
            return ctypes.string_at(out).decode("utf-8", errors="replace")
        finally:
            self._lib.presage_free_string(out)

    # -- lifetime ------------------------------------------------------------

    def close(self) -> None:
        if getattr(self, "_handle", None) is not None and self._handle.value:
            self._lib.presage_free(self._handle)
            self._handle = ctypes.c_void_p()
        if getattr(self, "_tmpdir", None) is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> "PresagePredictor":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def _live(self) -> ctypes.c_void_p:
        if not self._handle.value:
            raise PresageError("this PresagePredictor is closed")
        return self._handle

    def _check(self, code: int, call: str) -> None:
        if code != 0:
            name = _ERRORS[code] if 0 <= code < len(_ERRORS) else f"error {code}"
            raise PresageError(f"{call} failed: {name}")


def _write_config(base: Path, overrides: Mapping[str, str], out: Path) -> None:
    """Copy presage's XML config with ``overrides`` (dotted names) applied."""
    tree = ET.parse(base)
    root = tree.getroot()
    for variable, value in overrides.items():
        head, *path = variable.split(".")
        if head != root.tag or not path:
            raise ValueError(f"config variable {variable!r} does not start with {root.tag!r}.")
        node = root
        for part in path:
            child = node.find(part)
            if child is None:
                raise ValueError(f"config variable {variable!r}: no <{part}> under <{node.tag}> in {base}")
            node = child
        node.text = value
    tree.write(out, encoding="UTF-8", xml_declaration=True)
