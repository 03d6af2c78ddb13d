"""Where the user memory lives on disk, and how words get there off the keystroke path.

The store is one SQLite file (standard library ``sqlite3``, WAL mode) in the
user's data directory. Counts are decayed by a clock of committed words, as in
memory.py: a row holds ``count`` as of ``last`` and is worth
``count * 0.5 ** ((clock - last) / half_life)`` at ``clock``.

Writing: ``StoreWriter`` is the one thread that writes. ``UserMemory.observe``
updates the in-RAM view and puts the word on the writer's queue; the writer
commits whatever is queued as one transaction (one word while typing, up to
``MAX_BATCH`` words for a pasted text) of count increments: the clock, the word
row, the pair row. Increments, not rewrites, so two processes and many threads
learn into one store and nothing is lost. A kill loses only the words still on
the queue, that is those observed in the last moment before it (how long a
commit takes: bench/memory_store.py). ``synchronous=NORMAL``:
a committed word survives a killed process; a power cut may roll back the
last commits. There are no temporary files: SQLite's ``-wal``/``-shm`` are
part of the store and go away when the last connection closes.

Reading other processes' writes: after each commit, and every
``refresh_seconds`` when idle, the writer asks SQLite whether another
connection has written (``PRAGMA data_version``, and whether the file was
deleted or replaced, e.g. wiped); if so it reads the rows changed since the
view's last read (each transaction stamps the rows it touches with a sequence
number) and hands them to the view, or all rows when something was deleted
(a forget, an eviction: the ``generation`` counter). The view takes them only
when all its own words are committed, so a refresh never undoes a word. A
process whose own commit deleted rows re-reads all of them too, so its view
matches the store. A process that has the store open when another wipes it
sees the file gone at its next look, drops what it held, and starts a new
file with its next word (a word it commits in between goes with the old one).

Opening: the store is recognised by its SQLite header (``PRAGMA application_id``
is ``APPLICATION_ID``; stores of v0.2, which had none, by their format number and
tables). A path that is anything else (a user's text file, another program's
database, a folder, a link, an empty file) raises ``NotAStoreError`` and is never
opened for writing, renamed or removed. A store of ours that SQLite finds damaged is
set aside as ``NAME.corrupt-TIME-PID`` with a warning and a new store starts empty
(only by a writer: reading never renames). A new store is built in ``NAME.new-PID-RANDOM``
and linked into place whole, so a crash never leaves a half-made file at the path.
A file another process holds locked (two processes creating the store at once) is
waited for up to ``BUSY_TIMEOUT_MS`` and never taken for a bad one; past that, the
words stay in RAM and the writer tries again (``COMMIT_ATTEMPTS``). A folder that
cannot be written is read (SQLite's read-only mode) and nothing is saved: the
writer says so once.

Wiping (``wipe_files``): the rows are deleted in one transaction that also marks the
file wiped (``meta.wiped``, with SQLite's ``secure_delete`` so the pages are zeroed),
then the store's own files are removed: the database, its -wal/-shm/-journal, its
set-aside copies and an interrupted creation (``store_files`` lists them; nothing
else in the folder is looked at). Another process sharing the store sees the wipe
at its next commit, whatever it still had open: every queued operation carries the
id of the store its view held when it was learned, and a commit drops operations
of a store that is no longer the one at the path (or is marked wiped), so nothing
learned before a wipe is ever written again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import random
import re
import sqlite3
import stat
import threading
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .errors import EngineError

log = logging.getLogger(__name__)

FORMAT_VERSION = 2  # PRAGMA user_version; 1 was the JSON store (never released, not read)
VOTE = "\x1f"  # the previous word of a spelling vote (memory.py): no word holds it
APPLICATION_ID = 0x6E6B6D32  # PRAGMA application_id, "nkm2": marks a file as a nextkey user store
MAX_BATCH = 500  # words per transaction when a whole text is learned
SQLITE_MAGIC = b"SQLite format 3\x00"
SIDE_FILES = ("-wal", "-shm", "-journal")  # SQLite's files beside a database
BUSY_TIMEOUT_MS = 5000  # how long a writer waits for another process's transaction
COMMIT_ATTEMPTS = 12  # while another process holds the lock (each waits BUSY_TIMEOUT_MS); 3 for other errors

SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value NOT NULL);
CREATE TABLE words(key TEXT PRIMARY KEY, count REAL NOT NULL, last INTEGER NOT NULL,
                   spelling TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE INDEX words_seq ON words(seq);
CREATE TABLE pairs(prev TEXT NOT NULL, word TEXT NOT NULL, count REAL NOT NULL, last INTEGER NOT NULL,
                   seq INTEGER NOT NULL, PRIMARY KEY(prev, word));
CREATE INDEX pairs_seq ON pairs(seq);
CREATE INDEX pairs_word ON pairs(word);
CREATE TABLE blocked(word TEXT PRIMARY KEY);
INSERT INTO meta VALUES ('id', :id), ('clock', 0), ('seq', 0), ('generation', 0), ('n_words', 0), ('n_pairs', 0);
"""
TABLES = {"meta", "words", "pairs", "blocked"}
V02_TABLES = TABLES | {"migrated"}  # v0.2 stores also had the (empty) table of JSON imports

# Merge a (count, last) into a row: both decayed to the later clock, then added.
_MERGE_WORD = """INSERT INTO words(key, count, last, spelling, seq) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(key) DO UPDATE SET
      count = decay(count, last, max(last, excluded.last))
              + decay(excluded.count, excluded.last, max(last, excluded.last)),
      last = max(last, excluded.last), spelling = excluded.spelling, seq = excluded.seq"""
_MERGE_PAIR = """INSERT INTO pairs(prev, word, count, last, seq) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT(prev, word) DO UPDATE SET
      count = decay(count, last, max(last, excluded.last))
              + decay(excluded.count, excluded.last, max(last, excluded.last)),
      last = max(last, excluded.last), seq = excluded.seq"""


class StoreCorrupt(Exception):
    """A store of ours that SQLite finds damaged (raised and handled inside this module)."""


class StoreWiped(Exception):
    """The store a connection had open was wiped by another process since its last
    commit (raised and handled inside this module). ``wiped_at``: the wipe's time
    (seconds since the epoch, None if the file did not say): what was learned before
    it is never written."""

    def __init__(self, path: Path, wiped_at: float | None):
        super().__init__(f"{path} was wiped")
        self.wiped_at = wiped_at


class NotAStoreError(EngineError, ValueError):
    """The path names something that is not a nextkey user store: refused, never touched.

    ``path``: the path given; ``reason``: what it is instead (never its content)."""

    def __init__(self, path: Path, reason: str):
        self.path, self.reason = path, reason
        super().__init__(f"{path} is not a nextkey user store ({reason}); nothing there was changed. "
                         f"Pass the store's own file (memory.db), or a path where none exists yet")


@dataclass
class StoreRows:
    """Rows read from the store: all of them (``full``) or those changed since a sequence number."""

    store_id: int | None = None  # which file (a wiped and re-created store is another one)
    clock: int = 0
    seq: int = 0
    generation: int = 0
    words: dict[str, list] = field(default_factory=dict)  # key -> [count, last, spelling]
    pairs: dict[str, list] = field(default_factory=dict)  # "prev\tword" -> [count, last]
    blocked: set[str] = field(default_factory=set)
    full: bool = True


def inspect_path(path: Path) -> str:
    """What ``path`` holds: ``"missing"`` or ``"store"`` (a nextkey store, maybe damaged).

    Reads at most the 100-byte SQLite header, and for a v0.2 store (no application id)
    its format number and table names through a read-only connection.
    Raises NotAStoreError for anything else: a link, a folder, an empty file, a file
    that is not SQLite, a SQLite database of another program."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return "missing"
    if stat.S_ISLNK(st.st_mode):
        raise NotAStoreError(path, "a symbolic link")
    if stat.S_ISDIR(st.st_mode):
        raise NotAStoreError(path, "a folder")
    if not stat.S_ISREG(st.st_mode):
        raise NotAStoreError(path, "not a regular file")
    if st.st_size == 0:
        raise NotAStoreError(path, "an empty file")
    with open(path, "rb") as f:
        head = f.read(100)
    if not head.startswith(SQLITE_MAGIC):
        raise NotAStoreError(path, "not a SQLite database")
    if len(head) < 100:
        raise NotAStoreError(path, f"a truncated SQLite header ({len(head)} bytes)")
    app_id = int.from_bytes(head[68:72], "big")
    if app_id == APPLICATION_ID:
        return "store"
    if app_id != 0:
        raise NotAStoreError(path, f"a SQLite database of another program (application_id {app_id:#x})")
    try:  # a v0.2 store: format 2 and its tables (read through the WAL, which may hold them)
        mode = "mode=ro" if Path(f"{path}-wal").exists() else "immutable=1"
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?{mode}", uri=True,
                                                timeout=BUSY_TIMEOUT_MS / 1000)) as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    except sqlite3.Error as e:
        if is_busy(e):
            raise  # locked by its writer: the caller tries again later
        raise NotAStoreError(path, f"a SQLite database SQLite cannot read ({type(e).__name__})") from None
    if version == FORMAT_VERSION and tables in (TABLES, V02_TABLES):
        return "store"
    raise NotAStoreError(path, f"a SQLite database of another program: its user_version is {version}, not "
                               f"{FORMAT_VERSION}, and it has {len(tables)} tables, not nextkey's {len(TABLES)}")


def _alive(pid: int) -> bool:
    """Whether a process with this id runs (on this machine: a store's folder is local)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # (PermissionError: it runs, as another user)
        return True
    return True


def store_files(path: Path) -> list[Path]:
    """The store's own files as they exist now: the database, its -wal, -shm and -journal,
    its set-aside copies (``NAME.corrupt-YYYYmmdd-HHMMSS-PID``) and interrupted creations
    (``NAME.new-PID-RANDOM``), each with their SQLite side files. Nothing else is listed."""
    found = [path] + [Path(f"{path}{s}") for s in SIDE_FILES]
    own = re.compile(re.escape(path.name) + r"\.(corrupt-\d{8}-\d{6}-\d+|new-\d+-\d+)(-wal|-shm|-journal)?")
    if path.parent.is_dir():
        found += [p for p in path.parent.iterdir() if own.fullmatch(p.name)]
    return sorted({p for p in found if p.exists() or p.is_symlink()})


class Store:
    """One connection to the store file, safe to share between threads (it has its own lock).

    The file is created on the first write, so a store that was never written
    (or was wiped) leaves nothing on disk. ``read_only``: never create, write,
    rename or remove anything (``nextkey memory show``); a store in a folder
    that cannot be written is opened that way too (``self.read_only`` turns True)."""

    def __init__(self, path: Path, half_life: float, max_words: int, max_pairs: int, read_only: bool = False):
        self.path, self.half_life = path, half_life
        self.max_words, self.max_pairs = max_words, max_pairs
        self.read_only = read_only
        self.wiped_at: float | None = None  # the last wipe by another process this connection saw (epoch s)
        self._swept = False  # interrupted creations of dead processes looked for (at the first write)
        self._conn: sqlite3.Connection | None = None
        self._ino: int | None = None  # the file the connection has open (a wipe elsewhere replaces it)
        self._id: int | None = None  # the random id of that store, set when it was created
        self._lock = threading.RLock()

    # -- opening ------------------------------------------------------------------
    def snapshot(self) -> StoreRows:
        """All rows (an empty snapshot when there is no store yet). Raises NotAStoreError."""
        with self._lock:
            if self._conn is None and not self._connect(create=False):
                return StoreRows()
            return self._read_all()

    def _connect(self, create: bool) -> bool:
        """Open the file (creating it if ``create``; setting a damaged one aside); False if
        there is no file. Raises NotAStoreError, sqlite3.OperationalError (busy, full...)."""
        if inspect_path(self.path) == "missing":
            if not create or self.read_only:
                return False
            self._create()
        try:
            self._conn = self._open_when_free()
        except (StoreCorrupt, sqlite3.DatabaseError) as e:
            self._close_conn()
            if isinstance(e, sqlite3.OperationalError):
                raise  # busy past the timeout, read-only, disk full...: the file itself is fine
            if self.read_only:
                raise StoreCorrupt(f"{self.path} is damaged ({e}); a writer sets it aside") from e
            self._set_aside(self.path, e)
            if not create:
                return False
            self._create()
            self._conn = self._open_when_free()
        self._ino = os.stat(self.path).st_ino
        self._data_version = self._conn.execute("PRAGMA data_version").fetchone()[0]
        self._id = self._meta(self._conn, "id")
        return True

    def _sweep_interrupted(self) -> None:
        """Remove the interrupted creations (``NAME.new-PID-RANDOM`` and their side files)
        of processes that no longer run: a writer killed while it built a new store."""
        own = re.compile(re.escape(self.path.name) + r"\.new-(\d+)-\d+(?:-wal|-shm|-journal)?")
        with contextlib.suppress(OSError):
            for p in self.path.parent.iterdir():
                m = own.fullmatch(p.name)
                if m is not None and int(m.group(1)) != os.getpid() and not _alive(int(m.group(1))):
                    with contextlib.suppress(FileNotFoundError):
                        p.unlink()

    def _create(self) -> None:
        """Build an empty store beside the path and link it into place whole (another
        process that created one first wins: its file is kept)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._sweep_interrupted()
        tmp = self.path.with_name(f"{self.path.name}.new-{os.getpid()}-{random.getrandbits(31)}")
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        try:
            with contextlib.closing(sqlite3.connect(tmp, isolation_level=None)) as conn:
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                conn.execute(f"PRAGMA user_version = {FORMAT_VERSION}")
                conn.execute("PRAGMA journal_mode=WAL")  # kept in the header
                conn.execute("BEGIN")
                for statement in SCHEMA.split(";"):
                    if statement.strip():
                        conn.execute(statement, {"id": random.getrandbits(62)} if ":id" in statement else ())
                conn.execute("COMMIT")
            try:
                os.link(tmp, self.path)  # fails if another process linked its store first
            except FileExistsError:
                pass
            except OSError:  # a file system without hard links
                if not self.path.exists():
                    os.replace(tmp, self.path)
        finally:
            for p in [tmp] + [Path(f"{tmp}{s}") for s in SIDE_FILES]:
                with contextlib.suppress(FileNotFoundError):
                    p.unlink()

    def _open_when_free(self) -> sqlite3.Connection:
        """``_open``, waiting while another process holds the file. SQLite answers some
        opening steps (the WAL switch, reading the WAL index while another connection
        recovers it) with "database is locked" at once, without its busy timeout."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        delay = 0.001
        while True:
            try:
                return self._open()
            except sqlite3.OperationalError as e:
                self._close_conn()
                if is_read_only(e) and not self.read_only:
                    log.warning("user memory %s cannot be written (%s): reading it only, nothing will be saved",
                                self.path, e)
                    self.read_only = True
                    continue
                if not is_busy(e) or time.monotonic() > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 0.05)

    def _open(self) -> sqlite3.Connection:
        if self.read_only:
            # Without a -wal beside it the file is the whole store: read it as immutable, which
            # creates no -wal/-shm; with one (a writer has it open), read through it.
            mode = "mode=ro" if Path(f"{self.path}-wal").exists() else "immutable=1"
            conn = sqlite3.connect(f"{self.path.resolve().as_uri()}?{mode}", uri=True,
                                   timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False)
        else:
            if not os.access(self.path, os.W_OK) or not os.access(self.path.parent, os.W_OK):
                raise sqlite3.OperationalError("attempt to write a readonly database (no write permission)")
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None,
                                   check_same_thread=False)  # our lock serializes the threads
        self._conn = conn
        hl = self.half_life
        conn.create_function("decay", 3, lambda c, last, now: c * 0.5 ** ((now - last) / hl), deterministic=True)
        if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
            raise StoreCorrupt("quick_check failed")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if version != FORMAT_VERSION or not TABLES <= tables:
            raise StoreCorrupt(f"format {version} with {len(tables)} tables, expected format "
                               f"{FORMAT_VERSION} with {sorted(TABLES)}")
        if not self.read_only:
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA secure_delete=ON")  # a forget or wipe zeroes the freed pages
            if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
                conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # a v0.2 store: mark it
        return conn

    def _set_aside(self, path: Path, why: Exception) -> None:
        aside = path.with_name(f"{path.name}.corrupt-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
        try:
            path.replace(aside)
            for suffix in SIDE_FILES:
                if Path(f"{path}{suffix}").exists():
                    Path(f"{path}{suffix}").replace(f"{aside}{suffix}")
        except OSError:
            aside = None
        log.warning("user memory %s is damaged (%s); set aside as %s, starting empty", path, why, aside)

    # -- writing ------------------------------------------------------------------
    def commit(self, batch: list[tuple]) -> bool:
        """Apply operations in one transaction, in order; True if rows were deleted.

        ``("word", key, spelling, previous key or None, spelling vote or None)`` learns a
        word (the clock moves by one; a vote counts the pair (VOTE + key, spelling), see
        memory.py), ``("import", key, spelling, count, spelling voted)`` merges an imported
        word's count and votes for its spelling with it, ``("import_pair", prev, key,
        count)`` an imported pair's (the clock does not move for either), ``("block", key)``, ``("unblock", key)``,
        ``("forget", key)``. Raises StoreWiped (nothing written) when the store this connection had open
        was wiped since, NotAStoreError, sqlite3.Error, OSError, StoreCorrupt."""
        if self.read_only:
            raise sqlite3.OperationalError(f"{self.path} cannot be written here: nothing can be saved")
        create = any(op[0] in ("word", "import", "import_pair", "block") for op in batch)
        with self._transaction(create=create) as conn:
            if conn is None:
                return False  # nothing to forget or unblock in a store that does not exist
            clock, seq = self._meta(conn, "clock"), self._meta(conn, "seq") + 1
            n_words, n_pairs = self._meta(conn, "n_words"), self._meta(conn, "n_pairs")
            deleted = False
            for op in batch:
                match op:
                    case ("word", key, spelling, prev, vote):
                        clock += 1
                        n_words += conn.execute("SELECT 1 FROM words WHERE key = ?", (key,)).fetchone() is None
                        conn.execute(_MERGE_WORD, (key, 1.0, clock, spelling, seq))
                        for p, w in ((prev, key), (VOTE + key, vote)):
                            if p is not None and w is not None:
                                n_pairs += conn.execute("SELECT 1 FROM pairs WHERE prev = ? AND word = ?",
                                                        (p, w)).fetchone() is None
                                conn.execute(_MERGE_PAIR, (p, w, 1.0, clock, seq))
                    case ("import", key, spelling, count, voted):
                        n_words += conn.execute("SELECT 1 FROM words WHERE key = ?", (key,)).fetchone() is None
                        conn.execute(_MERGE_WORD, (key, count, clock, spelling, seq))
                        n_pairs += conn.execute("SELECT 1 FROM pairs WHERE prev = ? AND word = ?",
                                                (VOTE + key, voted)).fetchone() is None
                        conn.execute(_MERGE_PAIR, (VOTE + key, voted, count, clock, seq))
                    case ("import_pair", prev, key, count):
                        n_pairs += conn.execute("SELECT 1 FROM pairs WHERE prev = ? AND word = ?",
                                                (prev, key)).fetchone() is None
                        conn.execute(_MERGE_PAIR, (prev, key, count, clock, seq))
                    case ("block", key):
                        conn.execute("INSERT OR IGNORE INTO blocked VALUES (?)", (key,))
                    case ("unblock", key):
                        conn.execute("DELETE FROM blocked WHERE word = ?", (key,))
                    case ("forget", key):
                        conn.execute("DELETE FROM words WHERE key = ?", (key,))
                        conn.execute("DELETE FROM pairs WHERE prev = ? OR word = ? OR prev = ?", (key, key, VOTE + key))
                        deleted = True
                        n_words, n_pairs = self._counts(conn).values()
                    case _:
                        raise AssertionError(f"unknown store operation {op!r}")
                # the weakest go first, down to 90% of the bound, at the same word as in the view
                if n_words > self.max_words:
                    n_words = self._evict(conn, "words", self.max_words, clock)
                    deleted = True
                if n_pairs > self.max_pairs:
                    n_pairs = self._evict(conn, "pairs", self.max_pairs, clock)
                    deleted = True
            meta = dict(clock=clock, seq=seq, n_words=n_words, n_pairs=n_pairs)
            if deleted:
                meta["generation"] = self._meta(conn, "generation") + 1
            self._set_meta(conn, **meta)
            return deleted

    def wipe_files(self) -> list[Path]:
        """Empty the store in one transaction marked wiped (others see it at their next
        commit), close it and remove its own files (``store_files``); returns them.
        Raises NotAStoreError (nothing touched), sqlite3.Error or OSError (the folder
        cannot be written: nothing removed)."""
        with self._lock:
            self._close_conn()
            state = inspect_path(self.path)
            if state == "store":
                try:
                    conn = self._open_when_free()
                except (StoreCorrupt, sqlite3.DatabaseError) as e:
                    if isinstance(e, sqlite3.OperationalError):
                        raise
                    conn = None  # damaged: its files go as they are
                finally:
                    self._conn = None
                if self.read_only:
                    if conn is not None:
                        conn.close()
                    raise sqlite3.OperationalError(f"{self.path} cannot be written here: nothing was wiped")
                if conn is not None:
                    with contextlib.closing(conn):
                        conn.execute("BEGIN IMMEDIATE")
                        try:
                            for table in ("words", "pairs", "blocked"):
                                conn.execute(f"DELETE FROM {table}")
                            conn.execute("INSERT OR REPLACE INTO meta VALUES ('wiped', ?)", (time.time(),))
                            conn.execute("COMMIT")
                        except BaseException:
                            conn.execute("ROLLBACK")
                            raise
            removed = []
            for p in store_files(self.path):
                try:
                    p.unlink()
                    removed.append(p)
                except FileNotFoundError:
                    pass
            return removed

    # -- reading ------------------------------------------------------------------
    def changes(self, store_id: int | None, since_seq: int, generation: int, force: bool = False) -> StoreRows | None:
        """What other connections wrote since the view read ``since_seq`` of store ``store_id``
        (None: no file); None if nothing."""
        with self._lock:
            with contextlib.suppress(StoreWiped):  # the view re-reads below; the writer drops the old words
                self._follow_the_path()
            if self._conn is None and not self._connect(create=False):
                return StoreRows() if store_id is not None else None  # the file the view holds is gone
            if self._id != store_id:  # a file the view has not read (created, or replaced, since)
                return self._read_all()
            version = self._conn.execute("PRAGMA data_version").fetchone()[0]
            if version == self._data_version and not force:
                return None
            self._data_version = version
            conn = self._conn
            conn.execute("BEGIN")  # one consistent read
            try:
                if self._meta(conn, "generation") != generation:
                    return self._read_all()
                snap = self._read_meta(conn, full=False)
                snap.words = {k: [c, last, sp] for k, c, last, sp in conn.execute(
                    "SELECT key, count, last, spelling FROM words WHERE seq > ?", (since_seq,))}
                snap.pairs = {f"{p}\t{w}": [c, last] for p, w, c, last in conn.execute(
                    "SELECT prev, word, count, last FROM pairs WHERE seq > ?", (since_seq,))}
                return snap
            finally:
                conn.execute("COMMIT")

    def _follow_the_path(self) -> None:
        """Let go of a connection to a file that is no longer the one at the path (wiped or
        replaced by another process) or that is marked wiped (its removal may not have
        happened yet). Raises StoreWiped with the time of the wipe, read from the old
        file, which the connection still holds."""
        if self._conn is None:
            return
        try:
            replaced = os.stat(self.path).st_ino != self._ino
        except FileNotFoundError:
            replaced = True
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'wiped'").fetchone()
        if replaced or row is not None:
            self._close_conn()
            self._id = None
            self._saw_wipe(float(row[0]) if row is not None else None)

    def _saw_wipe(self, wiped_at: float | None) -> None:
        """Note a wipe by another process (``wiped_at`` None: not said, so now) and raise StoreWiped."""
        when = time.time() if wiped_at is None else wiped_at
        self.wiped_at = when if self.wiped_at is None else max(self.wiped_at, when)
        raise StoreWiped(self.path, when)

    def _read_all(self) -> StoreRows:
        conn = self._conn
        assert conn is not None
        in_txn = conn.in_transaction
        if not in_txn:
            conn.execute("BEGIN")
        try:
            snap = self._read_meta(conn, full=True)
            snap.words = {k: [c, last, sp] for k, c, last, sp in conn.execute(
                "SELECT key, count, last, spelling FROM words")}
            snap.pairs = {f"{p}\t{w}": [c, last] for p, w, c, last in conn.execute(
                "SELECT prev, word, count, last FROM pairs")}
            return snap
        finally:
            if not in_txn:
                conn.execute("COMMIT")

    def _read_meta(self, conn: sqlite3.Connection, full: bool) -> StoreRows:
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        blocked = {w for (w,) in conn.execute("SELECT word FROM blocked")}
        return StoreRows(store_id=int(meta["id"]), clock=int(meta["clock"]), seq=int(meta["seq"]),
                        generation=int(meta["generation"]), blocked=blocked, full=full)

    # -- plumbing -----------------------------------------------------------------
    @contextlib.contextmanager
    def _transaction(self, create: bool = False) -> Iterator[sqlite3.Connection | None]:
        """A write transaction (None when there is no store file and ``create`` is False)
        on the file now at the path: one wiped or replaced since is let go first."""
        with self._lock:
            self._follow_the_path()
            if self._conn is None and not self._connect(create=create):
                yield None
                return
            if not self._swept:  # once per connection's owner: a killed writer's leftovers go
                self._swept = True
                self._sweep_interrupted()
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")  # takes the write lock now, waiting up to BUSY_TIMEOUT_MS
            try:
                row = conn.execute("SELECT value FROM meta WHERE key = 'wiped'").fetchone()
                if row is not None:  # wiped while this one waited for the lock
                    self._saw_wipe(float(row[0]))
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    @staticmethod
    def _evict(conn: sqlite3.Connection, table: str, limit: int, clock: int) -> int:
        conn.execute(f"DELETE FROM {table} WHERE rowid IN (SELECT rowid FROM {table} "
                     f"ORDER BY decay(count, last, ?) DESC LIMIT -1 OFFSET ?)", (clock, int(limit * 0.9)))
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    @staticmethod
    def _meta(conn: sqlite3.Connection, key: str) -> int:
        return int(conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0])

    @staticmethod
    def _set_meta(conn: sqlite3.Connection, **values: int) -> None:
        conn.executemany("UPDATE meta SET value = ? WHERE key = ?", [(v, k) for k, v in values.items()])

    @staticmethod
    def _counts(conn: sqlite3.Connection) -> dict[str, int]:
        return {"n_words": conn.execute("SELECT count(*) FROM words").fetchone()[0],
                "n_pairs": conn.execute("SELECT count(*) FROM pairs").fetchone()[0]}

    def _close_conn(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()  # the last connection checkpoints and removes -wal and -shm
            except sqlite3.Error as e:
                log.warning("closing user memory %s: %s", self.path, e)
            self._conn = None

    def close(self) -> None:
        with self._lock:
            self._close_conn()


def is_busy(e: sqlite3.Error) -> bool:
    """Another connection holds a lock (SQLITE_BUSY or SQLITE_LOCKED): try again later."""
    code = getattr(e, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(e) or "busy" in str(e)


def is_read_only(e: sqlite3.Error) -> bool:
    """The file or its folder cannot be written: plain SQLITE_READONLY, SQLITE_READONLY_DIRECTORY,
    or SQLITE_CANTOPEN (the -wal/-shm cannot be made). Not the passing READONLY_* codes of WAL
    recovery, nor READONLY_DBMOVED (the file was removed under the connection: a wipe)."""
    code = getattr(e, "sqlite_errorcode", None)
    if code is not None:
        return code in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN, 1544)  # 1544: READONLY_DIRECTORY
    return str(e).startswith("attempt to write a readonly database")


_STOP = object()


class StoreWriter:
    """The thread that writes a store: it commits queued words, then picks up other
    processes' writes and hands them to ``apply`` (the view), which may refuse a
    snapshot while its own words are still queued (they would be undone).

    ``failed`` counts operations that could not be saved (a read-only folder, a full
    disk, a path that is not a store); the reason is logged once until a commit works
    again. Operations queued before this writer found its store wiped by another
    process are dropped, not failed: the wipe wins."""

    def __init__(self, store: Store, apply: Callable[[StoreRows], bool], held: StoreRows, refresh_seconds: float):
        self.store = store
        self.refresh_seconds = refresh_seconds
        self.enqueued = 0  # operations put; the view changes it under its own lock
        self.committed = 0  # operations committed, dropped or failed
        self.failed = 0  # operations that could not be saved
        self.last_error: str | None = None  # why the last failure happened (None once a commit works)
        self._held = (held.store_id, held.seq, held.generation)  # what the view holds
        self._apply = weakref.WeakMethod(apply)  # a dropped view lets the thread finish
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._done = threading.Condition()
        self._discard = False
        self._thread = threading.Thread(target=self._run, name=f"nextkey-store-{store.path.name}", daemon=True)
        self._thread.start()

    def put(self, item: tuple) -> None:
        """Queue one operation (see ``Store.commit``); the caller holds the view's lock
        (``enqueued`` is read under it)."""
        self.enqueued += 1
        self._queue.put((time.time(), item))  # when it was learned: a later wipe elsewhere drops it

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every operation queued so far is handled; False on timeout or when
        one of them could not be saved since the last flush."""
        target, failed = self.enqueued, self.failed
        with self._done:
            self._done.wait_for(lambda: self.committed >= target or not self._thread.is_alive(), timeout)
            return self.committed >= target and self.failed == failed

    def close(self, discard: bool = False) -> None:
        """Commit what is queued (or drop it: a wipe), stop the thread and close the store."""
        self._discard = discard
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()
        self.store.close()

    def _next(self, block: bool) -> object:
        """The next operation, or None for one learned before a wipe this writer saw (dropped)."""
        got = self._queue.get(timeout=self.refresh_seconds) if block else self._queue.get_nowait()
        if got is _STOP:
            return got
        learned_at, item = got
        if self.store.wiped_at is not None and learned_at <= self.store.wiped_at:
            with self._done:
                self.committed += 1
                self._done.notify_all()
            return None
        return got

    def _run(self) -> None:
        stale = False  # read again even if no other connection wrote: the view refused a snapshot,
        # or our own commit deleted rows (forget, eviction) and the view must match the store
        while True:
            try:
                item = self._next(block=True)
            except queue.Empty:
                item = None
            stop = item is _STOP
            batch = [item] if item is not None and not stop else []
            while len(batch) < MAX_BATCH and not stop:
                try:
                    item = self._next(block=False)
                except queue.Empty:
                    break
                stop = item is _STOP
                if item is not None and not stop:
                    batch.append(item)
            if batch:
                stale |= self._commit(batch)
            view = self._apply()
            if stop or (view is None and self._queue.empty()):
                break
            if view is not None and self.enqueued == self.committed:  # else the view would refuse
                stale = self._refresh(view, stale)
            del view
            with self._done:  # a save() returns with the view matching the store (a forget, a wipe elsewhere)
                self._done.notify_all()
        self.store.close()
        with self._done:
            self._done.notify_all()

    def _commit(self, batch: list) -> bool:
        """Commit ``batch`` ((time learned, operation) pairs); True if the view must re-read."""
        deleted, failed, n = False, 0, len(batch)
        attempt = 0
        while batch and not self._discard:
            attempt += 1
            try:
                deleted |= self.store.commit([op for _, op in batch])
                if self.last_error is not None:
                    log.warning("user memory %s: saving again", self.store.path)
                self.last_error = None
                break
            except StoreWiped:  # what was learned before the wipe goes; the rest goes into the new store
                # Words learned between the wipe and now go in without their previous word:
                # it may be one the wipe removed.
                batch = [(t, (*op[:3], None, *op[4:]) if op[0] == "word" else op)
                         for t, op in batch if t > self.store.wiped_at]
                log.info("user memory %s was wiped by another process: words learned before it dropped",
                         self.store.path)
                deleted, attempt = True, 0
            except sqlite3.OperationalError as e:  # locked past the busy timeout, disk full...
                if attempt >= COMMIT_ATTEMPTS or (attempt >= 3 and not is_busy(e)) or self.store.read_only:
                    failed = len(batch)
                    self._fail(e)
                    break
                log.info("user memory %s: cannot commit %d operations (attempt %d, will retry): %s",
                         self.store.path, len(batch), attempt, e)
                time.sleep(min(0.1 * attempt, 1.0))
            except (sqlite3.DatabaseError, OSError, StoreCorrupt, NotAStoreError) as e:
                failed = len(batch)
                self._fail(e)
                break
        with self._done:  # waiters are woken after the view has re-read (see _run)
            self.committed += n
            self.failed += failed
        return deleted

    def _fail(self, e: Exception) -> None:
        """Say once why nothing is being saved (again only after a commit worked)."""
        if self.last_error is None:
            log.warning("user memory %s: cannot save (what is learned stays in RAM until the engine "
                        "closes; said once): %s", self.store.path, e)
        self.last_error = str(e)

    def _refresh(self, apply: Callable[[StoreRows], bool], stale: bool) -> bool:
        """Hand other connections' writes to the view; True if it must be tried again."""
        try:
            snap = self.store.changes(*self._held, force=stale)
        except (sqlite3.Error, OSError, StoreCorrupt, NotAStoreError) as e:
            log.debug("user memory %s: cannot read other processes' words: %s", self.store.path, e)
            return False
        if snap is None:
            return False
        if not apply(snap):
            return True
        self._held = (snap.store_id, snap.seq, snap.generation)
        return False
