"""The user store: nothing learned is lost (threads, processes, kill -9), nothing is left
behind (wipe), nothing that is not a store is ever touched, a wipe sticks across processes,
read-only and full disks are said, and learning works without a store.

Counts use ``half_life=inf`` so that they are exact and a lost word shows as a wrong count.
"""

from __future__ import annotations

import json
import math
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from nextkey.engine import Engine, store
from nextkey.engine.memory import MemoryConfig, UserMemory
from nextkey.engine.text import learnable


def exact(path: Path | None, **kw) -> MemoryConfig:
    """Counts that never decay, and a writer that looks for other processes' words often."""
    return MemoryConfig(path=path, half_life=math.inf, refresh_seconds=0.05, **kw)


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def wait_until(predicate, timeout: float = 10.0) -> bool:
    """Poll for something another thread or process does (a generous bound, not a timing check)."""
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            return False
        time.sleep(0.01)
    return True


# A process that learns into a store: "shared" and one word of its own per step,
# printing how many steps are committed (save() returned) as it goes.
WORKER = r"""
import math, sys, time
from pathlib import Path
from nextkey.engine.memory import MemoryConfig, UserMemory
A = lambda n: str(n).translate(str.maketrans("0123456789", "abcdefghij"))  # letters: digits are never learned
path, name, steps = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
mem = UserMemory(MemoryConfig(path=path, half_life=math.inf, max_words=10**6, max_pairs=10**6))
print("ready", flush=True)
go = path.with_name("go")
while not go.exists():
    time.sleep(0.001)
for i in range(steps):
    if i % 50 == 49:  # now and then a longer transaction: a pasted text
        mem.learn_text(" ".join(f"{name}t{A(i)}x{A(j)}" for j in range(200)))
    mem.observe("shared")
    mem.observe(f"{name}w{A(i)}", "shared")
    if i % 3 == 0:
        mem.save()
        print(i + 1, flush=True)
mem.close()
print("done", flush=True)
"""


def _letters(n: int) -> str:
    """``n`` spelled with letters (a letter-digit word is never learned: the secrets rule)."""
    return str(n).translate(str.maketrans("0123456789", "abcdefghij"))


def committed_words(name: str, steps: int) -> Counter:
    """What WORKER has learned once ``steps`` steps are committed."""
    out = Counter()
    for i in range(steps):
        if i % 50 == 49:
            out.update(f"{name}t{_letters(i)}x{_letters(j)}" for j in range(200))
        out["shared"] += 1
        out[f"{name}w{_letters(i)}"] += 1
    return out


def start_worker(path: Path, name: str, steps: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", WORKER, str(path), name, str(steps)],
                            stdout=subprocess.PIPE, text=True)


def test_four_threads_learn_while_another_saves_and_exports(tmp_path):
    """Issue 14 item 1: save() dumped the live dicts while sessions observed."""
    path = tmp_path / "memory.db"
    mem = UserMemory(exact(path))
    stop = time.monotonic() + 1.5
    steps, errors = [0] * 4, []

    def learner(t: int) -> None:
        try:
            i = 0
            while time.monotonic() < stop:
                mem.observe("shared")
                mem.observe(f"t{_letters(t)}w{_letters(i % 100)}", "shared")
                mem.candidates("t")  # the prefix index is rebuilt while others insert
                i += 1
            steps[t] = i
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    def saver() -> None:
        try:
            while time.monotonic() < stop:
                mem.save()
                json.dumps(mem.export())
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=learner, args=(t,)) for t in range(4)] + [threading.Thread(target=saver)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors, errors
    expected = Counter({"shared": sum(steps)})
    for t, n in enumerate(steps):
        expected.update(f"t{_letters(t)}w{_letters(i % 100)}" for i in range(n))
    assert {k: e[0] for k, e in mem.words.items()} == expected
    assert mem.clock == 2 * sum(steps)
    mem.close()
    with UserMemory(exact(path)) as again:  # and the store holds every one of them
        assert {k: e[0] for k, e in again.words.items()} == expected
        assert again.clock == 2 * sum(steps)


def test_two_processes_learning_into_one_store_lose_nothing(tmp_path):
    """Issue 14 item 5: each process rewrote the whole JSON file from its own copy."""
    path, steps = tmp_path / "memory.db", 240
    workers = [start_worker(path, name, steps) for name in ("a", "b")]
    for w in workers:
        assert w.stdout.readline().strip() == "ready"
    (tmp_path / "go").touch()  # both learn at the same time
    for w in workers:
        out, _ = w.communicate(timeout=120)
        assert w.returncode == 0 and out.split()[-1] == "done"
    expected = committed_words("a", steps) + committed_words("b", steps)
    with UserMemory(exact(path)) as mem:
        assert {k: e[0] for k, e in mem.words.items()} == expected
        assert mem.clock == sum(expected.values())
        assert mem.pairs["shared\tawh"][0] == mem.pairs["shared\tbwh"][0] == 1.0


def test_a_store_another_process_has_locked_is_waited_for_never_set_aside(tmp_path, monkeypatch, caplog):
    """CI of stop 16: "database is locked" while two processes opened a new store at once was
    taken for corruption, and the first process's store was set aside with its words."""
    monkeypatch.setattr(store, "BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "memory.db"
    with UserMemory(exact(path)) as mem:
        mem.learn_text("Zorbladine stays put")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA journal_mode=DELETE")  # out of WAL, so that a lock stops readers too
    holder.execute("BEGIN EXCLUSIVE")
    released = threading.Timer(0.1, holder.execute, ("COMMIT",))  # shorter than the wait
    released.start()
    with UserMemory(exact(path)) as mem:
        assert "zorbladine" in mem.words
    released.join()
    holder.execute("BEGIN EXCLUSIVE")  # now held past the wait: learning goes on in RAM
    with UserMemory(exact(path)) as mem:
        mem.observe("Quorvex")
        assert "quorvex" in mem.words
    holder.execute("COMMIT")
    holder.close()
    assert names(tmp_path) == ["memory.db"] and "set aside" not in caplog.text
    with UserMemory(exact(path)) as mem:
        assert "zorbladine" in mem.words


def test_kill_9_while_learning_loses_nothing_committed_and_leaks_no_files(tmp_path):
    """Issue 14 item 2: kills left orphaned temporary files holding learned words."""
    path = tmp_path / "memory.db"
    (tmp_path / "go").touch()
    rng = random.Random(14)
    kept = Counter()  # what was committed by all the killed processes so far
    for it in range(20):
        name = f"k{_letters(it)}"
        proc = start_worker(path, name, 10**6)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(proc.stdout))
        reader.start()
        if it % 2:  # killed while it learns: once it has committed something, however slow the machine
            deadline = time.monotonic() + 120
            while len(lines) < 2 and proc.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.2))
        else:  # killed at a random moment: sometimes while it opens the store
            time.sleep(rng.uniform(0.2, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        reader.join()
        done = int(lines[-1]) if len(lines) > 1 else 0
        kept += committed_words(name, done)
        with UserMemory(exact(path, max_words=10**6, max_pairs=10**6)) as mem:
            have = {k: e[0] for k, e in mem.words.items()}
            assert all(have.get(w, 0) >= c for w, c in kept.items()), f"iteration {it}: committed words lost"
            kept = Counter(have)  # words committed after the last print count too from now on
    assert sum(kept.values()) > 0
    assert names(tmp_path) == ["go", "memory.db"]  # no temporary, journal or set-aside files


def test_wipe_removes_the_stores_own_files_and_nothing_else(tmp_path):
    """Issue 19 item 1: wipe removed every file that looked like an old store's."""
    path = tmp_path / "memory.db"
    mem, other = UserMemory(exact(path)), UserMemory(exact(path))  # two handles: -wal and -shm exist
    mem.learn_text("Zorbladine is here")
    assert wait_until(lambda: "zorbladine" in other.words)
    own = ["memory.db.corrupt-20260101-000000-7", "memory.db.corrupt-20260101-000000-7-wal", "memory.db.new-4242-99"]
    theirs = {"notes.txt": "not ours", "memory.json": "{}", ".memory-x1y2z3": "x", "memory.db.corrupt-notes": "y",
              "memory.db.bak": "z", "memory.dbx": "w"}
    for name in own:
        (tmp_path / name).write_bytes(b"SQLite format 3\x00")
    for name, text in theirs.items():
        (tmp_path / name).write_text(text)
    listed = {p.name for p in mem.files()}
    removed = mem.wipe()
    assert {p.name for p in removed} == listed >= {"memory.db", *own}
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == theirs
    assert mem.words == {} and not mem.active
    assert wait_until(lambda: other.words == {})  # the other handle follows the wipe
    other.close()
    mem.observe("again")
    mem.save()
    mem.close()
    with UserMemory(exact(path)) as fresh:
        assert set(fresh.words) == {"again"}


def test_files_that_are_not_the_stores_are_never_touched(tmp_path):
    mine = {"notes.txt": "x", "custom.json": '{"format_version": 1}', "memory.db.txt": "y"}
    for name, text in mine.items():
        (tmp_path / name).write_text(text)
    with UserMemory(exact(tmp_path / "custom.db")) as mem:
        mem.learn_text("hello there")
        assert {p.name for p in mem.wipe()} == {"custom.db"}
    assert {p.name: p.read_text() for p in tmp_path.iterdir()} == mine


def other_programs_database(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE notes(body TEXT)")
        conn.execute("INSERT INTO notes VALUES ('my notes')")
    conn.close()


def foreign_paths(folder: Path) -> dict[str, Path]:
    """Paths a user might pass as --store by mistake, each beside other files of theirs."""
    folder.mkdir()
    (folder / "notes.txt").write_text("my notes\n")
    (folder / "memory.json").write_text('{"mine": 1}')
    (folder / ".hidden").write_text("dot")
    (folder / "empty.db").write_bytes(b"")
    (folder / "fake.db").write_bytes(b"SQLite format 3\x00" + b"\x00" * 20)  # looks like SQLite, is not
    other_programs_database(folder / "app.db")
    (folder / "sub").mkdir()
    (folder / "sub" / "x.txt").write_text("x")
    (folder / "link.db").symlink_to(folder / "notes.txt")
    return {n: folder / n for n in ("notes.txt", "memory.json", "empty.db", "fake.db", "app.db", "sub", "link.db")}


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): (b"<dir>" if p.is_dir() else p.read_bytes())
            for p in sorted(folder.rglob("*"))}


@pytest.mark.parametrize("action", ["wipe", "show", "export", "forget", "block", "learn"])
def test_the_cli_refuses_a_path_that_is_not_a_store_and_touches_nothing(tmp_path, capsys, action):
    """Issue 19 item 1: wipe deleted notes.txt and its neighbours; show renamed the file."""
    from nextkey.cli.main import main

    paths = foreign_paths(tmp_path / "home")
    text = tmp_path / "text.txt"
    text.write_text("hello there")
    before = tree(tmp_path / "home")
    for name, path in paths.items():
        extra = {"forget": ["hello"], "block": ["hello"], "learn": ["--file", str(text)]}.get(action, [])
        assert main(["memory", action, *extra, "--store", str(path), "--yes"]) == 2, (action, name)
        err = capsys.readouterr().err
        assert "is not a nextkey user store" in err and "nothing there was changed" in err, err
        assert "my notes" not in err  # never the file's content
    assert tree(tmp_path / "home") == before


def test_the_engine_refuses_a_path_that_is_not_a_store(tmp_path):
    paths = foreign_paths(tmp_path / "home")
    before = tree(tmp_path / "home")
    for path in paths.values():
        with pytest.raises(store.NotAStoreError, match="not a nextkey user store"):
            UserMemory(exact(path))
    assert tree(tmp_path / "home") == before


def test_read_only_actions_never_create_or_move_anything(tmp_path, capsys):
    from nextkey.cli.main import main

    missing = tmp_path / "new" / "memory.db"
    for action in ("show", "export", "forget", "unblock", "wipe"):
        assert main(["memory", action, "w", "--store", str(missing), "--yes"] if action in ("forget", "unblock")
                    else ["memory", action, "--store", str(missing), "--yes"]) == 0
        assert "no user store" in capsys.readouterr().out
    assert not (tmp_path / "new").exists()
    path = tmp_path / "memory.db"
    with UserMemory(exact(path)) as mem:
        mem.learn_text("Zorbladine Zorbladine")
    snapshot = tree(tmp_path)
    assert main(["memory", "show", "--store", str(path)]) == 0
    assert "Zorbladine" in capsys.readouterr().out
    assert main(["memory", "export", "--store", str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["words"] == {"Zorbladine": 2.0}
    assert tree(tmp_path) == snapshot  # no -wal, -shm, set-aside copy or new file


def test_a_damaged_store_of_ours_is_set_aside_only_by_a_writer(tmp_path, capsys):
    from nextkey.cli.main import main

    path = tmp_path / "memory.db"
    with UserMemory(exact(path)) as mem:
        mem.learn_text("hello there " * 50)
    raw = bytearray(path.read_bytes())
    raw[200:4096] = b"\xff" * (4096 - 200)  # the header (ours) intact, the first page damaged
    raw[4096 + 100: 4096 + 900] = b"\xee" * 800
    path.write_bytes(bytes(raw))
    assert main(["memory", "show", "--store", str(path)]) == 1
    assert names(tmp_path) == ["memory.db"]  # show renamed nothing
    with UserMemory(exact(path)) as mem:  # a writer sets it aside and starts empty
        assert mem.words == {}
        mem.observe("fresh")
    kept = names(tmp_path)
    assert "memory.db" in kept and any(n.startswith("memory.db.corrupt-") for n in kept)


def test_a_store_of_v02_without_application_id_is_recognised_and_marked(tmp_path):
    path = tmp_path / "memory.db"
    with sqlite3.connect(path) as conn:  # as v0.2 made it
        conn.execute(f"PRAGMA user_version = {store.FORMAT_VERSION}")
        for statement in store.SCHEMA.split(";"):
            if statement.strip():
                conn.execute(statement, {"id": 7} if ":id" in statement else ())
        conn.execute("CREATE TABLE migrated(sha256 TEXT PRIMARY KEY)")
        conn.execute("INSERT INTO words VALUES ('zorbladine', 3.0, 0, 'Zorbladine', 1)")
    conn.close()
    assert store.inspect_path(path) == "store"
    with UserMemory(exact(path)) as mem:
        assert mem.words["zorbladine"][2] == "Zorbladine"
        mem.observe("more")
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == store.APPLICATION_ID
    conn.close()


# A process that learns into a store, then waits, then learns one more word after being told.
LEARNER = r"""
import math, sys, time
from pathlib import Path
from nextkey.engine.memory import MemoryConfig, UserMemory
path = Path(sys.argv[1])
mem = UserMemory(MemoryConfig(path=path, half_life=math.inf, refresh_seconds=float(sys.argv[2])))
mem.learn_text("secretword follows secretword")
print("learned", flush=True)
sys.stdin.readline()  # the other process wipes meanwhile
mem.observe("afterwards", "secretword")
mem.save()
print("words", sorted(mem.words), flush=True)
mem.close()
"""


@pytest.mark.parametrize("refresh", [0.05, 60.0])
def test_a_wipe_sticks_while_another_process_is_learning(tmp_path, refresh):
    """Issue 19 item 2: a process that learned words before a wipe wrote them back."""
    path = tmp_path / "memory.db"
    proc = subprocess.Popen([sys.executable, "-c", LEARNER, str(path), str(refresh)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "learned"
    with UserMemory(exact(path)) as mem:
        assert "secretword" in mem.words
        removed = mem.wipe()
        assert path in removed
    out, _ = proc.communicate("go\n", timeout=60)
    assert proc.returncode == 0, out
    with UserMemory(exact(path)) as mem:  # what it learned before the wipe is never written again
        assert "secretword" not in mem.words and not any("secretword" in k for k in mem.pairs)
    assert "secretword" not in out  # and its own view dropped it too


def test_a_wipe_between_a_check_and_the_lock_drops_the_batch(tmp_path):
    """The wipe commits while another connection waits for the write lock."""
    path = tmp_path / "memory.db"
    a = store.Store(path, math.inf, 100, 100)
    a.commit([("word", "early", "early", None, None)])
    b = store.Store(path, math.inf, 100, 100)
    b.snapshot()
    assert b.wipe_files()  # b's wipe; a still has the old (now removed) file open
    with pytest.raises(store.StoreWiped):
        a.commit([("word", "late", "late", "early", None)])
    assert not path.exists()
    assert a.commit([("word", "new", "new", None, None)]) is False  # the next commit makes a new store
    assert set(a.snapshot().words) == {"new"}
    a.close()
    b.close()


def read_only(monkeypatch) -> None:
    """A folder this process may not write (root ignores permission bits, so say it as SQLite does)."""
    real = store.Store._open

    def refuse(self):
        if not self.read_only:
            raise sqlite3.OperationalError("attempt to write a readonly database")
        return real(self)

    monkeypatch.setattr(store.Store, "_open", refuse)


def test_a_read_only_store_is_read_and_every_change_says_it_was_not_saved(tmp_path, monkeypatch, capsys, caplog):
    """Issue 19 item 3: read-only stores showed 0 words and changes exited 0 having saved nothing."""
    from nextkey.cli.main import main

    path = tmp_path / "memory.db"
    with UserMemory(exact(path)) as mem:
        mem.learn_text("Zorbladine Zorbladine")
    text = tmp_path / "t.txt"
    text.write_text("more words here")
    read_only(monkeypatch)
    before = tree(tmp_path)
    assert main(["memory", "show", "--store", str(path)]) == 0
    assert "1 words" in capsys.readouterr().out
    assert main(["memory", "forget", "zorbladine", "--store", str(path)]) == 1
    assert "not saved" in capsys.readouterr().err
    for args in (["block", "x"], ["unblock", "x"], ["learn", "--file", str(text)], ["wipe", "--yes"]):
        assert main(["memory", *args, "--store", str(path)]) == 1, args
        captured = capsys.readouterr()
        assert "not saved" in captured.err or "nothing was removed" in captured.err, (args, captured)
    assert tree(tmp_path) == before
    caplog.clear()
    with UserMemory(exact(path)) as mem:  # the engine reads what it can and says once that it cannot save
        assert "zorbladine" in mem.words
        for w in ("one", "two", "three", "four"):
            mem.observe(w)
        assert mem.save() is False and "4 changes not saved" in mem.save_error
    assert caplog.text.count("reading it only") == 1 and caplog.text.count("cannot save") == 1


def test_a_full_disk_is_said_once_and_the_cli_exits_non_zero(tmp_path, monkeypatch, capsys, caplog):
    from nextkey.cli.main import main

    path = tmp_path / "memory.db"
    with UserMemory(exact(path)) as mem:
        mem.observe("first")
    real = store.Store.commit

    def full(self, batch):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store.Store, "commit", full)
    monkeypatch.setattr(store.time, "sleep", lambda s: None)
    text = tmp_path / "t.txt"
    text.write_text("alpha beta gamma")
    assert main(["memory", "learn", "--file", str(text), "--store", str(path)]) == 1
    assert "disk is full" in capsys.readouterr().err
    caplog.clear()
    with UserMemory(exact(path)) as mem:
        for w in ("a", "b", "c", "d", "e"):
            mem.observe(w)
            mem.save()
        assert mem.save_error and "disk is full" in mem.save_error
    assert caplog.text.count("cannot save") == 1
    monkeypatch.setattr(store.Store, "commit", real)
    with UserMemory(exact(path)) as mem:
        assert set(mem.words) == {"first"}


def test_the_cli_exports_readable_json_and_wipe_prints_what_it_removed(tmp_path, capsys):
    from nextkey.cli.main import main

    store_path, text, out = tmp_path / "s" / "memory.db", tmp_path / "mine.txt", tmp_path / "export.json"
    text.write_text("Zorbladine met Quixlet. Zorbladine left.\n")
    assert main(["memory", "learn", "--file", str(text), "--store", str(store_path)]) == 0
    assert main(["memory", "export", "--file", str(out), "--store", str(store_path)]) == 0
    data = json.loads(out.read_text())
    # typed only at sentence starts: its capital says nothing about its case (issue 22)
    assert data["words"]["zorbladine"] > 1.9 and "zorbladine\tleft" in data["pairs"]
    capsys.readouterr()
    assert main(["memory", "wipe", "--store", str(store_path), "--yes"]) == 0
    printed = capsys.readouterr().out
    assert printed.index(f"  {store_path}") < printed.index(f"removed {store_path}")  # listed, then removed
    assert names(store_path.parent) == []


def test_another_process_words_blocks_and_forgets_show_up_and_change_the_version(tmp_path):
    path = tmp_path / "memory.db"
    with UserMemory(exact(path)) as a, UserMemory(exact(path)) as b:
        v = b.version
        a.learn_text("Zorbladine and Zorbladine")
        assert wait_until(lambda: "Zorbladine" in b.candidates("zor"))
        assert b.version != v and b.words["zorbladine"][0] == 2.0
        v = b.version
        a.block("and")
        assert wait_until(lambda: b.is_blocked("and")) and b.version != v
        v = b.version
        assert a.forget("zorbladine")
        assert wait_until(lambda: "zorbladine" not in b.words) and b.version != v
        assert "and\tzorbladine" not in b.pairs


def test_a_store_another_process_created_after_this_one_opened_is_read_in_full(tmp_path):
    """The file did not exist when ``a`` opened; its first commit opens it with ``b``'s words in it."""
    path = tmp_path / "memory.db"
    with UserMemory(exact(path)) as a:
        with UserMemory(exact(path)) as b:
            b.learn_text("alpha beta")
        a.observe("alpha")
        assert wait_until(lambda: a.words.get("alpha", [0])[0] == 2.0 and "beta" in a.words)
        assert a.pairs == {"alpha\tbeta": [1.0, 2]}


def test_learn_without_a_store_changes_the_suggestions(tiny_bundle):
    """Issue 14 item 3: without a store the memory had weight 0, so learn() did nothing."""
    with Engine.load(tiny_bundle) as eng:
        assert eng.memory.cfg.path is None
        before = [s.word for s in eng.suggest("I would like to ", n=3)]
        assert eng.learn_text("I would like to zorbladine. " * 3) == 15
        after = [s.word.lower() for s in eng.suggest("I would like to ", n=3)]
        assert "zorbladine" not in [w.lower() for w in before] and "zorbladine" in after
        assert "zorbladine" in [s.word.lower() for s in eng.suggest("Then zorb", n=3)]


def test_close_is_idempotent_and_later_words_stay_in_ram(tmp_path):
    path = tmp_path / "memory.db"
    mem = UserMemory(exact(path))
    mem.observe("before")
    mem.close()
    mem.close()
    mem.observe("after")
    assert set(mem.words) == {"before", "after"}
    with UserMemory(exact(path)) as again:
        assert set(again.words) == {"before"}


WORDS = st.sampled_from(["alpha", "Beta", "beta", "don't", "x-ray", "Ünïcode", "42"])


class StoreMachine(RuleBasedStateMachine):
    """Any sequence of learning, blocking, forgetting, reopening, wiping and another
    process's learning: the memory equals a plain count of what was done, and its
    version changes with every mutation."""

    def __init__(self):
        super().__init__()
        self.dir = Path(tempfile.mkdtemp(prefix="nextkey-store-"))
        self.path = self.dir / "memory.db"
        self.mem = UserMemory(exact(self.path))
        self.words, self.pairs, self.blocked = Counter(), Counter(), set()
        self.version, self.mutated = self.mem.version, False

    def _learn(self, word: str, prev: str | None) -> None:
        if not learnable(word):  # the secrets rule: "42" is never stored, nor a pair with it
            return
        self.words[word.lower()] += 1
        if prev is not None and learnable(prev):
            self.pairs[f"{prev.lower()}\t{word.lower()}"] += 1

    @rule(word=WORDS, prev=st.none() | WORDS)
    def observe(self, word, prev):
        self.mem.observe(word, prev)
        self._learn(word, prev)
        self.mutated = learnable(word)  # the secrets rule refuses "42": nothing changes

    @rule(ws=st.lists(WORDS, min_size=1, max_size=6))
    def learn_text(self, ws):
        assert self.mem.learn_text(" ".join(ws)) == len(ws)
        for prev, w in zip([None, *ws], ws):
            self._learn(w, prev if prev is None or learnable(prev) else None)
        self.mutated = any(map(learnable, ws))

    @rule(word=WORDS, blocked=st.booleans())
    def block(self, word, blocked):
        if blocked and not learnable(word):  # a secret-like word ("42") is refused: storing it would leak it
            with pytest.raises(ValueError):
                self.mem.block(word)
            return
        (self.mem.block if blocked else self.mem.unblock)(word)
        (self.blocked.add if blocked else self.blocked.discard)(word.lower())
        self.mutated = True

    @rule(word=WORDS)
    def forget(self, word):
        key = word.lower()
        had = key in self.words or any(key in p.split("\t") for p in self.pairs)
        assert self.mem.forget(word) == had
        self.words.pop(key, None)
        self.pairs = Counter({p: c for p, c in self.pairs.items() if key not in p.split("\t")})
        self.mutated = True

    @rule()
    def wipe(self):
        self.mem.wipe()
        assert names(self.dir) == []
        self.words, self.pairs, self.blocked = Counter(), Counter(), set()
        self.mutated = True

    @rule()
    def reopen(self):
        self.mem.close()
        self.mem = UserMemory(exact(self.path))
        self.version = self.mem.version

    @rule(word=WORDS)
    def another_process_learns(self, word):
        with UserMemory(exact(self.path)) as other:
            other.observe(word)
        self._learn(word, None)
        assert wait_until(lambda: self.mem.words.get(word.lower(), [0])[0] == self.words.get(word.lower(), 0))
        self.mutated = learnable(word)

    @invariant()
    def equals_the_count_of_what_was_done(self):
        assert {k: e[0] for k, e in self.mem.words.items()} == self.words
        assert {k: e[0] for k, e in self.mem.pairs.items()} == self.pairs
        assert self.mem.blocked == self.blocked
        assert self.mem.clock >= sum(self.words.values())
        if self.mutated:
            assert self.mem.version != self.version
        self.version, self.mutated = self.mem.version, False

    def teardown(self):
        self.mem.close()
        shutil.rmtree(self.dir)


TestStoreMachine = StoreMachine.TestCase
TestStoreMachine.settings = settings(max_examples=30, stateful_step_count=12, deadline=None,
                                     suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _no_threads_left():
    before = {t.ident for t in threading.enumerate()}
    yield
    # every memory a test opened was closed: no writer thread keeps running
    assert wait_until(lambda: not [t for t in threading.enumerate()
                                   if t.name.startswith("nextkey-store") and t.ident not in before], 5)


def test_export_never_overwrites_a_users_file_unless_forced(tmp_path, capsys):
    """Found by a newcomer: export --file replaced notes.txt with the JSON export."""
    from nextkey.cli.main import main

    store_path, notes = tmp_path / "memory.db", tmp_path / "notes.txt"
    with UserMemory(exact(store_path)) as mem:
        mem.learn_text("Zorbladine Zorbladine")
    notes.write_text("my notes\n")
    assert main(["memory", "export", "--file", str(notes), "--store", str(store_path)]) == 2
    assert "exists: nothing was written" in capsys.readouterr().err
    assert notes.read_text() == "my notes\n"
    assert main(["memory", "export", "--file", str(notes), "--store", str(store_path), "--force"]) == 0
    assert json.loads(notes.read_text())["words"] == {"Zorbladine": 2.0}


def test_export_replaces_a_file_whole_or_not_at_all(tmp_path, capsys, monkeypatch):
    """--force replaces the file atomically: a failure while writing (here fsync) leaves the
    old export as it was and nothing beside it; a folder in place of the file is refused and left
    alone; the export is readable by its owner alone (a memory is personal)."""
    from nextkey.cli.main import main

    store_path, out = tmp_path / "memory.db", tmp_path / "export.json"
    with UserMemory(exact(store_path)) as mem:
        mem.learn_text("Zorbladine Zorbladine")
    assert main(["memory", "export", "--file", str(out), "--store", str(store_path)]) == 0
    before = out.read_text()
    assert out.stat().st_mode & 0o077 == 0
    with UserMemory(exact(store_path)) as mem:
        mem.learn_text("Quillbyan Quillbyan")

    def broken_fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.fsync", broken_fsync)
    assert main(["memory", "export", "--file", str(out), "--store", str(store_path), "--force"]) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert out.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("memory.db")) == ["export.json"]
    monkeypatch.undo()
    assert main(["memory", "export", "--file", str(out), "--store", str(store_path), "--force"]) == 0
    assert "Quillbyan" in json.loads(out.read_text())["words"]
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "a.txt").write_text("kept")
    assert main(["memory", "export", "--file", str(tmp_path / "folder"), "--store", str(store_path), "--force"]) == 2
    assert f"{tmp_path / 'folder'} is not a regular file: nothing was written" in capsys.readouterr().err
    assert (tmp_path / "folder" / "a.txt").read_text() == "kept"
