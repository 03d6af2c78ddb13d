"""The native engine (native/) against the conformance kit: builds it with CMake when cmake and
g++ are here (skips otherwise, saying why), runs native/build/kit_runner on the shipped kit and on
a kit made now for the tiny freshly trained bundles (tests/conftest.py), shows that the runner
fails on a kit whose case (a tokenizer, context, step, trace or edit case) was altered, and that
the C example (native/examples/suggest_stdin.c) shows the Python engine's strips."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NATIVE = ROOT / "native"
BUILD = NATIVE / "build"
BUNDLE = ROOT / "engine" / "default_bundle"
KIT = ROOT / "engine" / "conformance" / "default.json"


@pytest.fixture(scope="module")
def kit_runner() -> Path:
    missing = [t for t in ("cmake", "g++", "pkg-config") if shutil.which(t) is None]
    if missing:
        pytest.skip(f"native build tools missing: {', '.join(missing)}")
    configure = subprocess.run(["cmake", "-S", str(NATIVE), "-B", str(BUILD), f"-DNEXTKEY_PYTHON={sys.executable}"],
                               capture_output=True, text=True)
    if configure.returncode != 0:  # a missing library (sentencepiece, utf8proc, nlohmann-json) or LiteRT
        pytest.skip("native build not configured (install libsentencepiece-dev libutf8proc-dev nlohmann-json3-dev): "
                    + (configure.stderr.strip().splitlines() or ["?"])[-1][:300])
    build = subprocess.run(["cmake", "--build", str(BUILD), "-j2", "--target", "kit_runner"], capture_output=True, text=True)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return BUILD / "kit_runner"


def _run(runner: Path, kit: Path, bundle: Path = BUNDLE) -> subprocess.CompletedProcess:
    return subprocess.run([str(runner), str(bundle), str(kit)], capture_output=True, text=True, timeout=300)


def _pass_line(kit: dict) -> str:
    """The runner's last line when every case of ``kit`` passed: nothing skipped."""
    steps = sum(len(t["steps"]) for t in kit["traces"])
    cases = (len(kit["tokenizer"]), len(kit["context"]), len(kit["step"]), steps, len(kit["edits"]))
    return (f"PASS: {sum(cases)} cases checked (tokenizer {cases[0]}, context {cases[1]}, step {cases[2]}, "
            f"trace {cases[3]}, edit {cases[4]}), 0 failed")


def test_native_passes_the_shipped_kit(kit_runner):
    done = _run(kit_runner, KIT)
    assert done.returncode == 0, done.stdout
    assert _pass_line(json.loads(KIT.read_text())) in done.stdout, done.stdout


@pytest.mark.parametrize("quantization", ["int8", "float32"])
def test_native_passes_a_kit_made_for_a_fresh_tiny_bundle(kit_runner, tiny_bundles, tmp_path, quantization):
    """The issue's done-means: not only the kit shipped with the default bundle, but a kit made now,
    by the Python engine, for a bundle trained seconds ago (another vocabulary, lexicon and model)."""
    from nextkey.engine.conformance import make_kit, write_kit

    bundle = tiny_bundles[quantization]
    kit = make_kit(bundle)
    assert kit["cross_check"]["failures"] == [], kit["cross_check"]
    path = write_kit(kit, tmp_path / f"tiny-{quantization}.json")
    done = _run(kit_runner, path, bundle)
    assert done.returncode == 0, done.stdout[-3000:]
    assert _pass_line(kit) in done.stdout, done.stdout[-3000:]


@pytest.mark.parametrize("section, alter", [
    ("tokenizer", lambda c: c.update(ids=c["ids"][:-1] + [c["ids"][-1] + 1])),
    ("context", lambda c: c.update(units=c["units"] + ["extra"])),
    ("step", lambda c: c["top_k"][0][0].__setitem__(1, c["top_k"][0][0][1] + 0.5)),
])
def test_native_fails_an_altered_case(kit_runner, tmp_path, section, alter):
    kit = json.loads(KIT.read_text())
    case = next(c for c in kit[section] if c.get("ids", c.get("units", [1])))
    alter(case)
    altered = tmp_path / "kit.json"
    altered.write_text(json.dumps(kit))
    done = _run(kit_runner, altered)
    assert done.returncode == 1, done.stdout
    assert f"FAIL {section} '{case['name']}'" in done.stdout, done.stdout


@pytest.mark.parametrize("trace, alter, says", [
    ("next-words", lambda s: s["expect"][0].update(word="Zebra"), "unexpected word"),  # a word the engine never gives
    ("next-words", lambda s: s["expect"][0].update(score=s["expect"][0]["score"] - 1.0), "score"),
    ("typos", lambda s: [e.update(corrected=not e["corrected"]) for e in s["expect"]], "corrected"),
    ("blocklist", lambda s: s["expect"].pop(), "suggestions"),
])
def test_native_fails_an_altered_trace(kit_runner, tmp_path, trace, alter, says):
    kit = json.loads(KIT.read_text())
    step = next(t for t in kit["traces"] if t["name"] == trace)["steps"][0]
    step["alternates"] = []
    alter(step)
    altered = tmp_path / "kit.json"
    altered.write_text(json.dumps(kit))
    done = _run(kit_runner, altered)
    assert done.returncode == 1, done.stdout
    assert f"FAIL trace '{trace}' step 0" in done.stdout and says in done.stdout, done.stdout


def test_native_fails_an_altered_edit(kit_runner, tmp_path):
    kit = json.loads(KIT.read_text())
    kit["edits"][0]["texts"][-1] += "x"
    altered = tmp_path / "kit.json"
    altered.write_text(json.dumps(kit))
    done = _run(kit_runner, altered)
    assert done.returncode == 1, done.stdout
    assert f"FAIL edit '{kit['edits'][0]['name']}'" in done.stdout, done.stdout


def test_the_c_example_suggests_what_the_python_engine_does(kit_runner):
    """native/examples/suggest_stdin.c, over the C API alone: each line's strip, word for word."""
    build = subprocess.run(["cmake", "--build", str(BUILD), "-j2", "--target", "suggest_stdin"],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    from nextkey.engine import Engine

    lines = ["", "I would like to ", "How are you do", "The weather is lovley", "Thank you vety",
             "(" * 3000 + "wo", "-" * 1000 + "hel", "x" * 700 + ".I wo"]  # (chunks longer than the window)
    done = subprocess.run([str(BUILD / "suggest_stdin"), str(BUNDLE)], input="\n".join(lines) + "\n",
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    eng = Engine.load(BUNDLE)
    got = done.stdout.splitlines()
    assert len(got) == len(lines), done.stdout
    for line, out in zip(lines, got):
        text, _, shown = out.rpartition("|")
        assert text == line
        words = re.findall(r" (\S+) \(-?[\d.]+, \w+\)\*?", shown)  # " word (score, kind)", '*': corrected
        assert words == [s.word for s in eng.suggest(line, 3)], (line, out)


def test_the_c_example_refuses_a_line_that_is_not_utf8_and_goes_on(kit_runner):
    """nextkey.h: text that is not UTF-8 is NK_BAD_ARGUMENT naming the argument and the byte (it
    was taken as U+FFFD before): the example says so for that line, shows the next, exits 1."""
    done = subprocess.run([str(BUILD / "suggest_stdin"), str(BUNDLE)], input=b"I would \xff like\nI would like to \n",
                          capture_output=True, timeout=120)
    assert done.returncode == 1
    assert "nk_session_set_text: text is not UTF-8 (byte 8)" in done.stderr.decode()
    assert done.stdout.decode().splitlines()[0].startswith("I would like to |"), done.stdout


def test_the_c_example_reads_the_bundles_own_language_files_from_any_folder(kit_runner, tmp_path):
    """An app opens a bundle wherever it unpacked it, from any working folder: the pack's files
    (the shipped blocklist, the letter-digit words) come from the bundle's lang/ (nextkey export
    writes it). A word added to that copy's blocklist is no longer offered from its prefix."""
    build = subprocess.run(["cmake", "--build", str(BUILD), "-j2", "--target", "suggest_stdin"],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    assert sorted(p.name for p in (BUNDLE / "lang").iterdir()) == ["en_alnum.txt", "en_blocklist.txt"]
    bundle = tmp_path / "assets" / "bundle"
    shutil.copytree(BUNDLE, bundle)
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()

    def strip(line: str) -> list[str]:
        done = subprocess.run([str(BUILD / "suggest_stdin"), str(bundle)], input=line + "\n", cwd=elsewhere,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        return re.findall(r" (\S+) \(-?[\d.]+, \w+\)\*?", done.stdout.rpartition("|")[2])

    before = strip("The weath")
    assert "weather" in before, before
    with (bundle / "lang" / "en_blocklist.txt").open("a", encoding="utf-8") as f:
        f.write("\nweather\n")
    after = strip("The weath")
    assert "weather" not in after and after, after
    (bundle / "lang" / "en_alnum.txt").unlink()  # a damaged bundle: a clear error, not a crash
    done = subprocess.run([str(BUILD / "suggest_stdin"), str(bundle)], input="x\n", cwd=elsewhere,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "en_alnum.txt" in done.stderr, done.stderr[-2000:]


# -- through the C API (libnextkey.so, in native/build/typist_bench's process: loaded into this
# one after TensorFlow has run, LiteRT's library crashed), side by side with the Python engine --

@pytest.fixture(scope="module")
def typist_bench(kit_runner) -> Path:
    build = subprocess.run(["cmake", "--build", str(BUILD), "-j2", "--target", "typist_bench"],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return BUILD / "typist_bench"


def _replay(driver: Path, script: list[str], prefetch: int = 0) -> tuple[list[list[tuple[str, float]]], int, int]:
    """typist_bench's strips for a script (its format: N, T, A, Q, L, E lines), and the model
    calls and rows its suggestions() calls ran in all (prefetch: the guesses nk_session_prefetch
    may compute after each suggestions call; their own calls are not counted)."""
    done = subprocess.run([str(driver), str(BUNDLE), "/dev/stdin", str(prefetch)], input="\n".join(script) + "\n",
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    strips, calls, rows = [], 0, 0
    for line in done.stdout.splitlines():
        f = line.split("\t")
        if f[0] == "Q":
            calls, rows = calls + int(f[4]), rows + int(f[5])
            strips.append([(f[i], float(f[i + 1])) for i in range(6, len(f), 4)])
    return strips, calls, rows


def _typed(session, ops, script: list[str]) -> list[list[tuple[str, float]]]:
    """Python's strips for ops ((type, text): one character at a time, suggestions after each,
    as a keyboard asks; (accept, word)), and the same operations written to script."""
    strips = []
    for op, arg in ops:
        for chars in ([arg] if op == "accept" else list(arg)):
            if op == "accept":
                session.accept(chars)
                script.append("A" + chars)
            else:
                session.type(chars)
                script.append("T" + chars)
            strips.append([(s.word, float(s.score)) for s in session.suggest(3)])
            script.append("Q3")
    return strips


def _same(py: list[list[tuple[str, float]]], nat: list[list[tuple[str, float]]]) -> None:
    assert len(py) == len(nat)
    for i, (a, b) in enumerate(zip(py, nat)):
        assert [w for w, _ in a] == [w for w, _ in b], (i, a, b)
        assert all(abs(x - y) < 1e-4 for (_, x), (_, y) in zip(a, b)), (i, a, b)


LEARNED_TYPING = [("type", "I met Zorvan at the Quillby cafe. Zorvan likes Quil"), ("accept", "Quillby"),
                  ("type", "tea, and Zorvan said hi to Brannoch. Then Brannoch left. "),
                  ("type", " Zo Qu Zorvan l Bran")]


@pytest.mark.parametrize("prefetch", [0, 60])
@pytest.mark.parametrize("learn", [True, False])
def test_native_learns_while_typing_as_python_does(typist_bench, learn, prefetch):
    """A session that learns (session.py _learn_commits, accept) learns the words typed as Python's
    does: every strip along the way is the same, and the words typed twice are offered (only when
    the session learns). With prefetch on, its guesses (accepting the words shown among them) are
    never learned: the strips are still Python's."""
    from nextkey.engine import Engine

    script = ["N"] + (["L"] if learn else [])
    py = _typed(Engine.load(BUNDLE).session(learn=learn), LEARNED_TYPING, script)
    nat, _, _ = _replay(typist_bench, script, prefetch)
    _same(py, nat)
    shown = {w for strip in nat for w, _ in strip}
    assert ({"Zorvan", "Brannoch"} <= shown) == learn, shown


def test_native_memory_evicts_as_python_does(typist_bench):
    """Past max_words (20,000) the weakest words are dropped and the mass summed again
    (memory.py _evict): a word learned after 25,000 others scores the same in both engines."""
    from nextkey.engine import Engine

    letters = "bcdfghjklmnpqrstvwz"
    filler = " ".join("zq" + letters[i % 19] + letters[i // 19 % 19] + letters[i // 361 % 19] + letters[i // 6859]
                      for i in range(25_000))
    learned = "we met Zorvan. then Zorvan left. ask Zorvan now"
    eng = Engine.load(BUNDLE)
    eng.learn_text(filler)
    eng.learn_text(learned)
    assert len(eng.memory.words) <= 20_000
    script = ["E" + filler, "E" + learned, "N"]
    py = _typed(eng.session(), [("type", "ask Zo")], script)
    nat, _, _ = _replay(typist_bench, script)
    _same(py, nat)
    assert "Zorvan" in [w for w, _ in nat[-1]], nat[-1]


MEMORY_TEXT = ("I met Zorvan at the Quillby cafe. Zorvan likes Quillby tea, and Zorvan said hi to Brannoch. "
               "dont worry, Brannoch's friend texts from zorvan@example.org; my code is x7Hq9zz2. Then Brannoch left.")


def _memory_ops(driver: Path, script: list[str]) -> tuple[list[list[tuple[str, float]]], list[list[str]]]:
    """typist_bench's strips (Q lines) and its other result lines (M, F, ERR), split at tabs. A
    lone surrogate in the script ("\\udcff") is written as that raw byte (text that is not UTF-8)."""
    done = subprocess.run([str(driver), str(BUNDLE), "/dev/stdin"],
                          input=("\n".join(script) + "\n").encode("utf-8", "surrogateescape"), capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    strips, other = [], []
    for line in done.stdout.decode("utf-8", "replace").splitlines():
        f = line.split("\t")
        if f[0] == "Q":
            strips.append([(f[i], float(f[i + 1])) for i in range(6, len(f), 4)])
        elif f[0] in ("M", "F", "ERR"):
            other.append(f)
    return strips, other


def _same_export(py: dict, nat: dict) -> None:
    assert nat["format_version"] == py["format_version"] == 2 and nat["store"] is None
    assert nat["clock"] == py["clock"] and nat["blocked"] == py["blocked"]
    for table in ("words", "pairs"):
        assert set(nat[table]) == set(py[table]), (table, set(nat[table]) ^ set(py[table]))
        assert all(abs(nat[table][k] - py[table][k]) < 2e-4 for k in py[table]), table


def test_native_memory_exports_what_python_exports(typist_bench, tmp_path):
    """The same text learned and the same word blocked: nk_engine_memory_export writes the JSON
    `nextkey memory export` writes (words by the user's spelling, pairs, blocked, the clock);
    the secret-like code and the address are in neither."""
    from nextkey.engine import Engine

    eng = Engine.load(BUNDLE)
    eng.learn_text(MEMORY_TEXT)
    eng.memory.block("darn")
    out = tmp_path / "native.json"
    _, other = _memory_ops(typist_bench, ["E" + MEMORY_TEXT, "Kdarn", f"X{out}"])
    assert other == []
    nat, py = json.loads(out.read_text()), eng.memory.export()
    _same_export(py, nat)
    assert {"Zorvan", "Quillby", "Brannoch", "don't"} <= set(nat["words"]), nat["words"]
    assert not {w for w in nat["words"] if any(c.isdigit() for c in w) or "@" in w}, nat["words"]
    assert list(tmp_path.iterdir()) == [out], "nothing is left beside the file"


def test_memory_moves_between_python_and_native(typist_bench, tmp_path):
    """A memory exported by Python and imported by a fresh native engine (and the other way
    round) gives the same counts merged, the same strips and the same export again."""
    from nextkey.engine import Engine
    from nextkey.engine.memory import read_dictionary

    src = Engine.load(BUNDLE)
    src.learn_text(MEMORY_TEXT)
    src.memory.block("darn")
    saved = tmp_path / "from-python.json"
    saved.write_text(json.dumps(src.memory.export(), indent=2, ensure_ascii=False) + "\n")

    py = Engine.load(BUNDLE)
    counts = py.memory.import_words(read_dictionary(saved))
    again = tmp_path / "again.json"
    script = [f"M{saved}", "N", f"X{again}"]
    py_strips = _typed(py.session(), [("type", "We saw Zo"), ("type", "rvan at Qu"), ("type", ". Bran")], script)
    nat_strips, other = _memory_ops(typist_bench, script)
    assert other == [["M", str(counts["words"]), str(counts["pairs"]), str(counts["blocked"]), str(counts["skipped"])]]
    _same(py_strips, nat_strips)
    assert "Zorvan" in [w for w, _ in nat_strips[8]] and "Quillby" in [w for w, _ in nat_strips[-7]]
    _same_export(py.memory.export(), json.loads(again.read_text()))

    # ... and the native file back into Python
    back = Engine.load(BUNDLE)
    back.memory.import_words(read_dictionary(again))
    _same_export(back.memory.export(), json.loads(again.read_text()))


def test_native_export_of_a_long_time_user_imports_back_as_pythons(typist_bench, tmp_path):
    """Words decayed below 4 decimals are left out of both engines' export, and an old export's
    0 counts are skipped by both on import (memory.py export; docs/personal-dictionary.md)."""
    from nextkey.engine import Engine
    from nextkey.engine.memory import read_dictionary

    text = "Zorblax met Quillby " + " ".join(["the cat sat on the mat"] * 14_000)
    eng = Engine.load(BUNDLE)
    eng.learn_text(text)
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"format_version": 2, "words": {"Zorblax": 0.0, "Quillby": 3}, "pairs": {"zorblax\tmet": 0}}))
    fresh = Engine.load(BUNDLE)
    done = fresh.memory.import_words(read_dictionary(old))
    out, back = tmp_path / "native.json", tmp_path / "back.json"
    _, other = _memory_ops(typist_bench, ["E" + text, f"X{out}", "W", f"M{old}", f"X{back}"])
    assert other == [["M", str(done["words"]), str(done["pairs"]), str(done["blocked"]), str(done["skipped"])]]
    assert done == {"words": 1, "pairs": 0, "blocked": 0, "skipped": 1, "no_room": 0}
    _same_export(eng.memory.export(), json.loads(out.read_text()))
    assert "Zorblax" not in json.loads(out.read_text())["words"]
    _same_export(fresh.memory.export(), json.loads(back.read_text()))


def test_native_forgets_unblocks_and_wipes_as_python_does(typist_bench):
    """forget drops a word and its pairs (found 1, then 0), unblock offers a word again, wipe
    leaves nothing learned: every strip along the way is Python's."""
    from nextkey.engine import Engine

    eng = Engine.load(BUNDLE)
    eng.learn_text(MEMORY_TEXT)
    script = ["E" + MEMORY_TEXT]
    strips, ends = [], []  # ends: the index of each phase's last strip

    def phase(typed):  # a new session (field) typing ``typed``
        script.append("N")
        strips.extend(_typed(eng.session(), [("type", typed)], script))
        ends.append(len(strips) - 1)

    phase("ask Zo")
    assert eng.memory.forget("zorvan") and not eng.memory.forget("zorvan")
    script += ["FZORVAN", "Fzorvan"]
    phase("ask Zo")
    phase("ask Zorvan or Bra")
    for change, op in ((eng.memory.block, "K"), (eng.memory.unblock, "U"), (lambda _: eng.memory.wipe(), "W")):
        change("Brannoch")
        script.append(op + ("" if op == "W" else "Brannoch"))
        phase("ask Bra")

    nat, other = _memory_ops(typist_bench, script)
    assert other == [["F", "1"], ["F", "0"]]
    _same(strips, nat)
    shown = [[w for w, _ in nat[i]] for i in ends]
    assert "Zorvan" in shown[0] and "Zorvan" not in shown[1], shown
    # learned, blocked, unblocked, wiped
    assert ["Brannoch" in s for s in shown[2:]] == [True, False, True, False], shown


BAD_DICTIONARIES = {
    "not JSON": ('{"format_version": 2, "words": {"ok": 1,}', "not valid JSON"),
    "another format": ('{"format_version": 1, "words": {"ok": 1}}', "format_version"),
    "a negative count": ('{"format_version": 2, "words": {"ok": 1, "bad": -3}}', "words['bad']"),
    "a pair without its tab": ('{"format_version": 2, "pairs": {"one two": 1}}', "pairs['one two']"),
    "blocked not a list": ('{"format_version": 2, "blocked": "darn"}', "blocked"),
    "three fields": ("fine 2\nthree fields here\n", "line 2"),
    "a zero count": ("# mine\nfine 2\n\nzero 0\n", "line 4"),
    "a count that is no number": ("fine 2\nfine lots\n", "line 2"),
    "not one word": ("fine\nnot-a-word!!\n", "line 2"),
}


@pytest.mark.parametrize("name", list(BAD_DICTIONARIES))
def test_native_import_refuses_a_bad_file_and_imports_nothing(typist_bench, tmp_path, name):
    """A file Python's read_dictionary refuses is refused by nk_engine_memory_import too, with
    NK_BAD_ARGUMENT naming the file and the line or field, and the memory is as it was (its
    export the same before and after; the good lines before the bad one are not merged)."""
    from nextkey.engine.memory import read_dictionary

    text, says = BAD_DICTIONARIES[name]
    bad = tmp_path / "bad.txt"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError):
        read_dictionary(bad)
    before, after = tmp_path / "before.json", tmp_path / "after.json"
    _, other = _memory_ops(typist_bench, ["EZorvan met Brannoch", f"X{before}", f"M{bad}", f"X{after}"])
    assert len(other) == 1 and other[0][:3] == ["ERR", "M", "2"], other
    assert str(bad) in other[0][3] and says in other[0][3] and "nothing was imported" in other[0][3], other
    assert before.read_text() == after.read_text()


def _random_dictionary(rng, path: Path) -> None:
    """A personal dictionary of the kinds users bring: words in several cases and apostrophes,
    bare contractions, repeated words, accented letters, codes, numbers and addresses (skipped),
    as a word list or as export JSON with pairs and blocked words."""
    pool = ["Zorvan", "zorvan", "ZORVAN", "Quillby", "café", "naïve", "dont", "don't", "don’t", "Im", "I'm",
            "the", "Brannoch's", "well-known", "x7Hq9zz2", "4th", "1990s", "covid19", "iPhone", "McDonald",
            "a@b.co", "www.example.org", "Straße", "über", "o'clock", "rock'n'roll"]
    words = [rng.choice(pool) for _ in range(rng.randint(1, 14))]
    if rng.random() < 0.5:
        lines = [w if rng.random() < 0.4 else f"{w} {rng.choice([1, 2, 3.5, 0.25, 17, 999999])}" for w in words]
        path.write_text("\n".join(["# mine"] + lines) + "\n", encoding="utf-8")
        return
    from nextkey.engine.memory import is_word
    ok = [w for w in words if is_word(w)]
    pairs = {f"{a}\t{b}": round(rng.uniform(0.1, 9), 3) for a, b in zip(ok, ok[1:])}
    path.write_text(json.dumps({"format_version": 2, "words": {w: rng.choice([1, 2.5, 40]) for w in ok},
                                "pairs": pairs, "blocked": [w for w in ok if rng.random() < 0.2]},
                               ensure_ascii=rng.random() < 0.5), encoding="utf-8")


def test_native_imports_random_dictionaries_as_python_does(typist_bench, tmp_path):
    """40 seeded random dictionaries (word lists and export JSON), each imported into an empty
    memory by both engines: the same counts merged and skipped, and the same export after."""
    import random

    from nextkey.engine import Engine
    from nextkey.engine.memory import read_dictionary

    rng = random.Random(7)
    script, expected = [], []
    for i in range(40):
        src, out = tmp_path / f"d{i}.txt", tmp_path / f"out{i}.json"
        _random_dictionary(rng, src)
        eng = Engine.load(BUNDLE)
        done = eng.memory.import_words(read_dictionary(src))
        expected.append((["M", *(str(done[k]) for k in ("words", "pairs", "blocked", "skipped"))], eng.memory.export(), out))
        script += ["W", f"M{src}", f"X{out}"]
    _, other = _memory_ops(typist_bench, script)
    assert [o for o in other if o[0] == "ERR"] == []
    assert [o for o in other] == [m for m, _, _ in expected]
    for m, py, out in expected:
        _same_export(py, json.loads(out.read_text()))


def test_native_import_and_export_say_which_file_they_cannot_use(typist_bench, tmp_path):
    """A missing file, a file that is not UTF-8, a folder in place of the file, a folder that does
    not exist: NK_IO (5) or NK_BAD_ARGUMENT (2) naming the path; an export that fails leaves no file
    and the file it would replace as it was."""
    latin1 = tmp_path / "latin1.txt"
    latin1.write_bytes("caf\xe9 2\n".encode("latin-1"))
    kept = tmp_path / "kept.json"
    kept.write_text("the user's own file\n")
    (tmp_path / "a-folder").mkdir()
    words = tmp_path / "words.txt"
    words.write_text("\ufeffZorvan\nBrannoch 3\r\n# a comment\n  \nzorvan@example.org\nx7Hq9zz2 4\n", encoding="utf-8")
    script = [f"M{tmp_path / 'missing.txt'}", f"M{latin1}", f"X{tmp_path / 'a-folder'}",
              f"X{tmp_path / 'no-such-folder' / 'm.json'}", f"M{tmp_path / 'a-folder'}", "K\udcff", f"M{words}", f"X{kept}"]
    _, other = _memory_ops(typist_bench, script)
    assert [o[:3] for o in other[:6]] == [["ERR", "M", "5"], ["ERR", "M", "2"], ["ERR", "X", "5"], ["ERR", "X", "5"],
                                          ["ERR", "M", "5"], ["ERR", "K", "2"]], other
    assert "missing.txt" in other[0][3] and "not UTF-8 text (byte 3)" in other[1][3]
    assert "a-folder" in other[2][3] and "no-such-folder" in other[3][3]
    assert f"cannot read {tmp_path / 'a-folder'}: it is a folder" in other[4][3]
    assert other[5][3] == "nk_engine_block: word is not UTF-8 (byte 0)"
    # the word list: a byte-order mark and CRLF are read; the address and the code are skipped
    assert other[6] == ["M", "2", "0", "0", "2"], other[6]
    assert set(json.loads(kept.read_text())["words"]) == {"Zorvan", "Brannoch"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-folder", "kept.json", "latin1.txt", "words.txt"]
    assert list((tmp_path / "a-folder").iterdir()) == []


def test_batched_steps_make_fewer_calls_than_rows(typist_bench):
    """The decoder steps several search nodes in one model call (native/README.md): on a typed
    sentence the session makes fewer model calls than it steps rows, and shows Python's strips."""
    from nextkey.engine import Engine

    script = ["N"]
    py = _typed(Engine.load(BUNDLE).session(),
                [("type", "Thank you for the lovely dinner last night, we should do it again soon")], script)
    nat, calls, rows = _replay(typist_bench, script)
    _same(py, nat)
    assert 0 < calls < rows, (calls, rows)


PREFETCH_TYPING = [("type", "Thank you for the lovely d"), ("accept", "dinner"), ("type", "last night, we sh"),
                   ("accept", "should"), ("type", "do it again soon. See you on Frid"), ("accept", "Friday"),
                   ("type", ", and tell Anna hello!"), ("type", " The re"), ("accept", "rest"), ("type", "."),
                   ("backspace", 1), ("type", " is up to you")]


def test_prefetch_answers_keystrokes_from_memory_and_changes_no_strip(typist_bench):
    """nk_session_prefetch (include/nextkey.h) computes, between keystrokes, the suggestions after
    the likeliest next actions: accepting a shown word (with a period or comma after it), a space,
    the likeliest letters. Typed with it, a sentence shows exactly Python's strips (which have no
    prefetch), and most keystrokes run no model call at all; with it off, few do."""
    from nextkey.engine import Engine

    session = Engine.load(BUNDLE).session()
    script = ["N"]
    py = []
    for op, arg in PREFETCH_TYPING:
        if op == "backspace":
            session.backspace(arg)
            script.append("B")
            py.append([(s.word, float(s.score)) for s in session.suggest(3)])
            script.append("Q3")
        else:
            py += _typed(session, [(op, arg)], script)
    zero = {}
    for prefetch in (0, 60):
        done = subprocess.run([str(typist_bench), str(BUNDLE), "/dev/stdin", str(prefetch)],
                              input="\n".join(script) + "\n", capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        rows = [line.split("\t") for line in done.stdout.splitlines() if line.startswith("Q")]
        _same(py, [[(f[i], float(f[i + 1])) for i in range(6, len(f), 4)] for f in rows])
        zero[prefetch] = sum(int(f[4]) == 0 for f in rows) / len(rows)
        guesses = [int(line.split("\t")[1]) for line in done.stdout.splitlines() if line.startswith("P")]
        assert (sum(guesses) > 0) == (prefetch > 0), guesses
    assert zero[60] > 0.6 and zero[0] < 0.3, zero


PREFETCH_APP = r"""
#include <stdio.h>
#include <string.h>
#include "nextkey.h"
/* Types argv[2] one character at a time into a session, printing each strip; with argv[3] = "1",
   the idle loop of nextkey.h between keystrokes. Also the failure contract: done is 0. */
int main(int argc, char** argv) {
  nk_engine* e; nk_session* s; nk_suggestion out[3]; size_t count, done = 99;
  if (nk_engine_open(argv[1], &e) != NK_OK) return fprintf(stderr, "%s\n", nk_last_error()), 1;
  if (nk_session_prefetch(NULL, 3, 1, &done) != NK_BAD_ARGUMENT || done != 0) return 2;
  if (!strstr(nk_last_error(), "session is NULL")) return 3;
  if (nk_session_new(e, &s) != NK_OK) return 4;
  if (nk_session_prefetch(s, 3, 1, NULL) != NK_BAD_ARGUMENT) return 5;
  for (const char* c = argv[2]; *c; ++c) {
    char one[2] = {*c, 0};
    if (nk_session_type(s, one) != NK_OK || nk_session_suggestions(s, 3, out, &count) != NK_OK) return 6;
    for (size_t i = 0; i < count; ++i) printf("%s %.6f\t", out[i].word, out[i].score);
    printf("\n");
    if (argv[3][0] == '1') while (nk_session_prefetch(s, 3, 1, &done) == NK_OK && done) {}
  }
  nk_session_free(s);
  nk_engine_free(e);
  return 0;
}
"""


def test_an_app_built_with_the_readme_line_prefetches_and_shows_the_same_strips(kit_runner, tmp_path):
    """README's compile line builds an app against nextkey.h and libnextkey.so; nextkey.h's idle
    loop ends (done is 0 on a failure too, and the error names the NULL argument), and the strips
    typed with it are those typed without."""
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    src = tmp_path / "app.c"
    src.write_text(PREFETCH_APP)
    build = subprocess.run(["gcc", "-std=gnu99", "-O2", "-I", str(NATIVE / "include"), str(src), "-o",
                            str(tmp_path / "app"), "-L", str(BUILD), "-lnextkey", f"-Wl,-rpath,{BUILD}"],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-2000:]
    text = "See you at the station tomorrow, and bring the tick"
    runs = [subprocess.run([str(tmp_path / "app"), str(BUNDLE), text, flag], capture_output=True, text=True,
                           timeout=120) for flag in ("0", "1")]
    for r in runs:
        assert r.returncode == 0, (r.returncode, r.stderr[-2000:])
    assert runs[0].stdout == runs[1].stdout and runs[0].stdout.count("\n") == len(text)
    assert "tomorrow" in runs[0].stdout


# -- sessions on several threads (include/nextkey.h: an engine is shared by its sessions) --

def _build(build_dir: Path, target: str, *flags: str) -> Path:
    configure = subprocess.run(["cmake", "-S", str(NATIVE), "-B", str(build_dir), f"-DNEXTKEY_PYTHON={sys.executable}",
                                *flags], capture_output=True, text=True)
    assert configure.returncode == 0, configure.stderr[-3000:]
    build = subprocess.run(["cmake", "--build", str(build_dir), "-j2", "--target", target], capture_output=True, text=True)
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return build_dir / target


def test_sessions_on_several_threads_learn_and_block_together(kit_runner):
    """Four sessions type, ask and accept with learning on while a fifth thread learns and blocks:
    every call succeeds, and the words taught on any thread are offered to a new session."""
    runner = _build(BUILD, "threads_test")
    done = subprocess.run([str(runner), str(BUNDLE), "4", "6"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.startswith("PASS: 4 sessions x 6 sentences"), done.stdout


def test_no_data_race_between_sessions_under_thread_sanitizer(kit_runner):
    """The same run built with ThreadSanitizer (native/build-tsan, -DNEXTKEY_SANITIZE=thread): no
    data race in the engine's shared state (the user memory behind Engine::memory_lock, the slip
    model's memo, the lexicon walk's). Without the memory lock this run reports hundreds of races
    (native/README.md); TSan exits 66 and prints 'data race' for any."""
    if subprocess.run(["g++", "-fsanitize=thread", "-x", "c++", "-", "-o", "/dev/null"], input="int main(){}",
                      capture_output=True, text=True).returncode != 0:
        pytest.skip("g++ here cannot link -fsanitize=thread (libtsan missing)")
    runner = _build(NATIVE / "build-tsan", "threads_test", "-DNEXTKEY_SANITIZE=thread", "-DCMAKE_BUILD_TYPE=RelWithDebInfo")
    done = subprocess.run([str(runner), str(BUNDLE), "4", "3"], capture_output=True, text=True, timeout=600)
    assert "ThreadSanitizer" not in done.stderr, done.stderr[-4000:]
    assert done.returncode == 0 and done.stdout.startswith("PASS"), done.stderr[-3000:]


def test_native_import_into_a_full_memory_keeps_what_is_there_as_python_does(typist_bench, tmp_path):
    """Typed words, then 20,500 new words (counts with ties) and 31,000 new pairs: both engines
    keep every typed word, let the strongest new entries take the free places (ties in code-point
    order), leave the rest out (counted with the skipped in C's counts[3]) and cap a count at a
    million: the same counts and the same export."""
    import random

    from nextkey.engine import Engine
    from nextkey.engine.memory import read_dictionary

    rng = random.Random(11)
    words: set[str] = set()
    while len(words) < 20_500:
        words.add("".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(8)))
    ordered = sorted(words)
    rng.shuffle(ordered)
    src, out = tmp_path / "big.json", tmp_path / "out.json"
    src.write_text(json.dumps({"format_version": 2, "words": {w: float(1 + i % 5) for i, w in enumerate(ordered)} | {"Zorvan": 1e6},
                               "pairs": {f"{a}\t{b}": float(1 + i % 3) for i, (a, b) in enumerate(zip(ordered, ordered[1:] + ordered[:1]))
                                         if i < 31_000}}))
    twice = tmp_path / "zorvan.txt"
    twice.write_text("Zorvan 999999\n")
    eng = Engine.load(BUNDLE)
    eng.learn_text(MEMORY_TEXT)
    typed = set(eng.memory.export()["words"])
    done = eng.memory.import_words(read_dictionary(src))
    again = eng.memory.import_words(read_dictionary(twice))
    assert done["no_room"] > 0 and typed <= set(eng.memory.export()["words"])
    py = eng.memory.export()
    assert py["words"]["Zorvan"] == 1e6
    _, other = _memory_ops(typist_bench, ["E" + MEMORY_TEXT, f"M{src}", f"M{twice}", f"X{out}"])
    assert [o for o in other if o[0] == "ERR"] == []
    assert other == [["M", *(str(d[k]) for k in ("words", "pairs", "blocked")), str(d["skipped"] + d["no_room"])]
                     for d in (done, again)]
    _same_export(py, json.loads(out.read_text()))
