"""bench/compare_presage.py: presage-trained's cached database is reused only for the text it was
built from (a comparison on another corpus must not score presage on the old one)."""

import importlib.util
import sqlite3
import sys
from pathlib import Path

_PATH = Path(__file__).resolve().parents[1] / "bench" / "compare_presage.py"
_spec = importlib.util.spec_from_file_location("compare_presage", _PATH)
compare_presage = importlib.util.module_from_spec(_spec)
sys.modules["compare_presage"] = compare_presage
_spec.loader.exec_module(compare_presage)


def _fake_text2ngram(calls):
    """Stands in for text2ngram: adds the ``-n K`` table to the ``-o`` file and remembers the text."""
    def run(cmd, check, stdout, stderr):
        k, out, text = cmd[cmd.index("-n") + 1], cmd[cmd.index("-o") + 1], cmd[-1]
        calls.append(text)
        con = sqlite3.connect(out)
        con.execute(f"CREATE TABLE IF NOT EXISTS _{k}_gram (word TEXT, count INTEGER)")
        con.execute(f"INSERT INTO _{k}_gram VALUES (?, 1)", (Path(text).read_text().split()[0],))
        con.commit()
        con.close()
    return run


def test_database_is_rebuilt_for_another_text_and_reused_for_the_same(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(compare_presage.subprocess, "run", _fake_text2ngram(calls))
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("alpha text\n")
    b.write_text("beta text, another corpus\n")
    db_dir = tmp_path / "db"

    db = compare_presage.build_trained_database(a, db_dir, rebuild=False)
    assert calls == [str(a)] * 3
    assert compare_presage.built_from(db_dir) == (str(a.resolve()), a.stat().st_size)

    compare_presage.build_trained_database(a, db_dir, rebuild=False)
    assert len(calls) == 3, "the same text reuses its database"

    compare_presage.build_trained_database(b, db_dir, rebuild=False)
    assert calls[3:] == [str(b)] * 3, "another text rebuilds"
    assert compare_presage.built_from(db_dir) == (str(b.resolve()), b.stat().st_size)
    con = sqlite3.connect(db)
    assert con.execute("SELECT word FROM _1_gram").fetchall() == [("beta",)]
    con.close()

    b.write_text("beta text, another corpus, grown\n")  # the same path with other contents
    compare_presage.build_trained_database(b, db_dir, rebuild=False)
    assert len(calls) == 9

    (db_dir / "database_train.json").unlink()  # a database without its record is not trusted
    compare_presage.build_trained_database(b, db_dir, rebuild=False)
    assert len(calls) == 12
