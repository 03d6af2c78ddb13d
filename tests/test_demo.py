"""The terminal demo, driven like a user would: keys go through prompt-toolkit's
pipe input and VT100 parser, the application runs on its own event loop, and
the checks read the buffer and the screen prompt-toolkit rendered.

FakeEngine answers from a fixed table, for the tests that need an exact slot
order; the rest run the real engine on the tiny bundle.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import time

import pytest
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from nextkey.demo.app import TAB_MARK, arrange, build_app, center_out, run_demo
from nextkey.engine import Suggestion
from nextkey.engine.text import CLOSING_PUNCT as CLOSING_PUNCTUATION, partial_word

TAB, ENTER, BACKSPACE, CTRL_W, ALT_BACKSPACE = "\t", "\r", "\x7f", "\x17", "\x1b\x7f"
LEFT, RIGHT, CTRL_C, CTRL_Q = "\x1b[D", "\x1b[C", "\x03", "\x11"
F = {1: "\x1bOP", 2: "\x1bOQ", 3: "\x1bOR"}
ALT = {k: f"\x1b{k}" for k in range(1, 10)}


def paste(text: str) -> str:
    return f"\x1b[200~{text}\x1b[201~"


# Best first. After a space: NEXT. Mid-word: the VOCAB words that start with it.
NEXT = ["the", "a", "to", "and", "of"]
VOCAB = ["the", "they", "then", "there", "hello", "help", "held", "world", "word", "one", "once"]


class FakeEngine:
    """Follows the engine's contract with a table instead of a model."""

    info = {"name": "fake", "path": "<memory>", "size_bytes": 3 << 20, "quantization": "int8",
            "vocab_size": len(VOCAB)}

    def __init__(self) -> None:
        self.calls: list[str] = []

    def suggest(self, text_before_cursor: str, n: int = 3) -> list[Suggestion]:
        self.calls.append(text_before_cursor)
        typed = partial_word(text_before_cursor)
        if typed:
            words = [w for w in VOCAB if w.startswith(typed.lower())]
            return [Suggestion(w, -1.0 - i, "completion") for i, w in enumerate(words[:n])]
        return [Suggestion(w, -1.0 - i, "next") for i, w in enumerate(NEXT[:n])]


class SizedOutput(DummyOutput):
    def __init__(self, rows: int, columns: int) -> None:
        self.size = Size(rows=rows, columns=columns)

    def get_size(self) -> Size:
        return self.size


class Typist:
    """Sends keys to a running demo and waits for their effect to be on screen."""

    def __init__(self, app, inp) -> None:
        self.app, self.inp = app, inp

    @property
    def buffer(self):
        return self.app.layout.current_buffer

    async def until(self, predicate, what: str = "", timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what or predicate}; buffer {self.buffer.text!r}")
            await asyncio.sleep(0.005)

    async def frame(self) -> None:
        """Wait for a fresh render, so the screen shows the current state."""
        count = self.app.render_counter
        self.app.invalidate()
        await self.until(lambda: self.app.render_counter > count, "a render")

    async def send(self, keys: str, text: str | None = None, cursor: int | None = None) -> None:
        """Send keys; wait until the buffer holds ``text`` and the cursor sits at ``cursor``."""
        self.inp.send_text(keys)
        await self.until(lambda: (text is None or self.buffer.text == text)
                         and (cursor is None or self.buffer.cursor_position == cursor),
                         f"text {text!r} cursor {cursor}")
        await self.frame()

    def screen(self) -> list[str]:
        screen = self.app.renderer.last_rendered_screen
        size = self.app.output.get_size()
        return ["".join(screen.data_buffer[y][x].char for x in range(size.columns)).rstrip()
                for y in range(size.rows)]

    def bar(self) -> list[str]:
        """The words in the strip's slots, left to right ('' for an empty slot)."""
        return [s.replace(TAB_MARK, "").strip() for s in self.screen()[-2].split("│")]

    def status(self) -> str:
        return self.screen()[-1]


def drive(engine, script, n: int = 3, output=None, **build_kw):
    """Run the demo with ``script(typist)`` typing into it, then quit; the app's result.
    ``build_kw``: more of build_app's arguments (learn, switcher)."""
    async def main():
        with create_pipe_input() as inp:
            app = build_app(engine, n, input=inp, output=output or DummyOutput(), **build_kw)
            task = asyncio.ensure_future(app.run_async())
            typist = Typist(app, inp)
            await typist.until(lambda: app.is_running and app.render_counter > 0, "the app to start")
            try:
                await script(typist)
            finally:
                if app.future is not None and not app.future.done():
                    app.exit(result=0)
            return await asyncio.wait_for(task, 5)
    return asyncio.run(main())


def expected_bar(engine, text_before_cursor: str, n: int = 3) -> list[str]:
    return [s.word if s else "" for s in arrange(engine.suggest(text_before_cursor, n), n)]


@pytest.fixture(scope="module")
def engine(tiny_bundle):
    """The engine the demo drives: it keeps its incremental state from test to test."""
    from nextkey.engine import Engine
    return Engine.load(tiny_bundle)


@pytest.fixture(scope="module")
def reference(tiny_bundle):
    """A second engine on the same bundle, asked each text afresh, for what the strip must show."""
    from nextkey.engine import Engine
    return Engine.load(tiny_bundle)


# --- slot layout ------------------------------------------------------------

@pytest.mark.parametrize("n, order", [
    (1, [0]), (2, [0, 1]), (3, [1, 0, 2]), (4, [1, 0, 2, 3]), (5, [2, 1, 3, 0, 4]),
])
def test_best_suggestion_sits_in_the_middle_then_outwards(n, order):
    assert center_out(n) == order


def test_arrange_leaves_slots_empty_when_there_are_few_suggestions():
    two = [Suggestion("a", -1.0, "next"), Suggestion("b", -2.0, "next")]
    assert arrange(two, 3) == [two[1], two[0], None]


# --- the real engine on the tiny bundle ---------------------------------------

def test_strip_follows_typing_and_tab_accepts_the_best(engine, reference):
    async def script(t):
        assert t.bar() == expected_bar(reference, "")
        for keys in ["I", " would", " like to ", "s", "e"]:
            await t.send(keys, t.buffer.text + keys)
            assert t.bar() == expected_bar(reference, t.buffer.text)
        best = reference.suggest("I would like to se", 3)[0]
        assert t.bar()[1] == best.word and best.kind == "completion"
        await t.send(TAB, f"I would like to {best.word} ")
        assert t.bar() == expected_bar(reference, t.buffer.text)
        assert all(t.bar()), "three next words after a known phrase"

    drive(engine, script)


@pytest.mark.parametrize("pick, slot", [(F[1], 0), (F[2], 1), (F[3], 2), (ALT[1], 0), (ALT[2], 1), (ALT[3], 2)])
def test_f_and_alt_keys_accept_the_slot_shown(engine, reference, pick, slot):
    typed = "We need to "
    word = expected_bar(reference, typed)[slot]
    assert word

    async def script(t):
        await t.send(typed, typed)
        assert t.bar()[slot] == word
        await t.send(pick, typed + word + " ")

    drive(engine, script)


def test_punctuation_takes_back_the_space_of_a_real_suggestion(engine, reference):
    typed = "She will call my mother on Mon"
    best = reference.suggest(typed, 3)[0].word
    stem = typed[: -len("Mon")]

    async def script(t):
        await t.send(typed + TAB, stem + best + " ")
        await t.send(".", stem + best + ".")
        assert t.bar() == expected_bar(reference, stem + best + ".")

    drive(engine, script)


def test_backspace_delete_word_and_cursor_moves_keep_the_strip_right(engine, reference):
    async def script(t):
        await t.send("They want to go ho", "They want to go ho")
        assert t.bar() == expected_bar(reference, "They want to go ho")
        await t.send(BACKSPACE, "They want to go h")
        assert t.bar() == expected_bar(reference, "They want to go h")
        await t.send(BACKSPACE * 2, "They want to go")
        assert t.bar() == expected_bar(reference, "They want to go")
        await t.send(CTRL_W, "They want to ")
        assert t.bar() == expected_bar(reference, "They want to ")
        await t.send("read" + ALT_BACKSPACE, "They want to ")
        assert t.bar() == expected_bar(reference, "They want to ")
        await t.send(LEFT * 8, cursor=5)  # "They |want to "
        assert t.bar() == expected_bar(reference, "They ")
        await t.send(LEFT * 3, cursor=2)  # "Th|ey want to "
        assert t.bar() == expected_bar(reference, "Th")
        await t.send(RIGHT * 11, cursor=13)
        assert t.bar() == expected_bar(reference, "They want to ")

    drive(engine, script)


def test_paste_and_enter_update_the_strip(engine, reference):
    async def script(t):
        await t.send(paste("Thank you very much.\nHow are"), "Thank you very much.\nHow are")
        assert t.bar() == expected_bar(reference, "Thank you very much.\nHow are")
        await t.send(" you" + ENTER, "Thank you very much.\nHow are you\n")
        assert t.bar() == expected_bar(reference, "Thank you very much.\nHow are you\n")

    drive(engine, script)


def test_status_line_shows_the_real_model(engine):
    info = engine.info

    async def script(t):
        await t.send("I would like", "I would like")
        status = t.status()
        assert f" {info['name']} · " in status and f" · {info['quantization']} │ " in status
        assert "KSR 0%" in status  # 12 keys, 12 characters

    drive(engine, script)
    # a wide terminal has room for the latency too

    async def wide(t):
        await t.send("I would like", "I would like")
        latency = t.status().split("│")[1].strip()
        assert latency.endswith(" ms") and float(latency[:-3]) > 0

    drive(engine, wide, output=SizedOutput(24, 160))


@pytest.mark.parametrize("rows, columns", [(1, 1), (2, 5), (3, 12), (4, 30), (6, 2), (24, 10)])
def test_a_tiny_terminal_still_types_and_accepts(engine, reference, rows, columns):
    best = reference.suggest("You need to ", 3)[0].word

    async def script(t):
        await t.send("You need to " + TAB, f"You need to {best} ")
        assert len(t.screen()) == rows

    drive(engine, script, output=SizedOutput(rows, columns))


# --- typing and accepting, against the table (exact slots) -------------------

def test_strip_shows_next_words_then_completions_best_in_middle():
    eng = FakeEngine()

    async def script(t):
        assert t.bar() == ["a", "the", "to"]
        await t.send("he", "he")
        assert t.bar() == ["help", "hello", "held"]
        assert eng.calls[-1] == "he"

    drive(eng, script)


@pytest.mark.parametrize("keys, text", [
    ("he" + TAB, "hello "),  # Tab: the best, in the middle
    ("he" + F[2], "hello "),
    ("he" + F[1], "help "),  # slots count from the left
    ("he" + F[3], "held "),
    ("he" + ALT[1], "help "),
    ("he" + ALT[3], "held "),
    (TAB, "the "),  # a next word, nothing typed
    ("hello " + ALT[1], "hello a "),
    ("HE" + TAB, "hello "),  # the suggestion's spelling replaces what was typed
    ("x" + TAB, "x"),  # no suggestion: nothing happens
    ("Great 😀" + TAB, "Great 😀 the "),  # never glued onto an emoji (the engine's accept rule)
    ("(" + TAB, "(the "),  # an opening bracket keeps the word
])
def test_accepting_replaces_the_partial_word_and_adds_a_space(keys, text):
    async def script(t):
        await t.send(keys, text)

    drive(FakeEngine(), script)


@pytest.mark.parametrize("keys, text", [
    ("he" + TAB + ",", "hello,"),
    ("he" + TAB + "." + " on" + TAB, "hello. one "),
    ("he" + TAB + "!", "hello!"),
    ("he" + TAB + ", " + "wor" + TAB + "?", "hello, world?"),
    ("he" + TAB + "x", "hello x"),  # a letter keeps the space
    ("he" + TAB + "(", "hello ("),  # so does opening punctuation
    ("he" + TAB + BACKSPACE + ",", "hello,"),  # the user took the space back already
    ("he" + TAB + " ,", "hello  ,"),  # a typed space is the user's: kept
    ("he" + TAB + "," + TAB, "hello, the "),  # accept right after punctuation opens a new word
    ("hello ," + TAB, "hello , the "),  # only an accepted word's space is taken back
])
def test_punctuation_after_an_accepted_word_takes_its_space_back(keys, text):
    assert set(",.!?") <= CLOSING_PUNCTUATION

    async def script(t):
        await t.send(keys, text)

    drive(FakeEngine(), script)


def test_moving_the_cursor_suggests_from_the_text_before_it():
    eng = FakeEngine()

    async def script(t):
        await t.send("they went", "they went")
        await t.send(LEFT * 7, cursor=2)  # th|ey went
        assert eng.calls[-1] == "th"
        assert t.bar() == ["they", "the", "then"]
        await t.send(RIGHT * 2 + " ", "they  went", cursor=5)  # between words
        assert t.bar() == ["a", "the", "to"]
        await t.send(TAB, "they the went", cursor=9)

    drive(eng, script)


@pytest.mark.parametrize("text, left, keys, after, cursor", [
    ("hel world", 6, TAB, "hello world", 6),  # the accepted word ends at the existing space
    ("helxx world", 8, TAB, "hello world", 6),  # the rest of the word goes too
    ("hel, yes", 5, TAB, "hello, yes", 5),  # no space before punctuation
])
def test_accepting_inside_earlier_text_replaces_the_word_under_the_cursor(text, left, keys, after, cursor):
    async def script(t):
        await t.send(text, text)
        await t.send(LEFT * left, cursor=len(text) - left)
        await t.send(keys, after, cursor=cursor)

    drive(FakeEngine(), script)


def test_paste_updates_the_strip_and_counts_no_keystrokes():
    async def script(t):
        await t.send(paste("I said hel"), "I said hel")
        assert t.bar() == ["help", "hello", "held"]
        assert "KSR -" in t.status()
        await t.send(TAB, "I said hello ")
        assert "KSR 67%" in t.status()  # one key made "lo ": the pasted "hel" counts on neither side

    drive(FakeEngine(), script)


def test_status_line_shows_model_latency_ksr_and_keys():
    async def script(t):
        status = t.status()
        assert "fake · 3.1 MB · int8" in status  # 3 << 20 bytes: decimal MB, as everywhere else
        assert " ms" in status
        assert "KSR -" in status
        assert status.endswith("Tab · F1-3 · F10 · ^Q")  # the longest help that fits 80 columns
        await t.send("he" + TAB, "hello ")  # 3 keystrokes, 6 characters
        assert "KSR 50%" in t.status()
        await t.send(",", "hello,")  # 4 keystrokes, 6 characters
        assert "KSR 33%" in t.status()

    drive(FakeEngine(), script)


@pytest.mark.parametrize("quit_key", [CTRL_C, CTRL_Q])
def test_ctrl_c_and_ctrl_q_quit(quit_key):
    async def script(t):
        t.inp.send_text("he" + quit_key)
        await t.until(lambda: not t.app.is_running, "the app to quit")

    assert drive(FakeEngine(), script) == 0


@pytest.mark.parametrize("n", [1, 5])
def test_other_slot_counts(n):
    async def script(t):
        await t.send("the", "the")
        assert len(t.bar()) == n
        assert t.bar()[center_out(n)[0]] == "the"
        await t.send(F[1], "there " if n == 5 else "the ")

    drive(FakeEngine(), script, n=n)


def test_a_wide_status_line_has_the_full_key_help():
    async def script(t):
        assert t.status().endswith("Tab accept · F1-3/Alt+1-3 pick · F10 layout · Ctrl-Q quit")

    drive(FakeEngine(), script, output=SizedOutput(24, 120))


def test_sixty_columns_with_five_slots_keep_the_key_help_and_the_learning_state():
    async def script(t):
        status = t.status()
        assert len(status) <= 60
        assert status.endswith("Tab · F1-5 · F10 · ^Q")
        assert "learning on" in status and "KSR -" in status
        await t.send("the", "the")
        assert "Tab · F1-5" in t.status()

    drive(FakeEngine(), script, n=5, output=SizedOutput(24, 60), learn=True)


def test_the_slot_tab_takes_is_marked_not_only_bold():
    async def script(t):
        await t.send("the", "the")
        row = t.screen()[-2]
        cells = row.split("│")
        marked = [i for i, c in enumerate(cells) if TAB_MARK in c]
        assert marked == [center_out(3)[0]]
        assert cells[marked[0]].replace(TAB_MARK, "").strip() == "the"
        await t.send(TAB, "the ")

    drive(FakeEngine(), script)


def test_f10_switches_the_layout_and_says_so(tiny_bundle):
    from nextkey.demo.app import Switcher

    switcher = Switcher([str(tiny_bundle)])
    engine = switcher.load(str(tiny_bundle))
    first = engine.settings.slips.layout

    async def script(t):
        assert first in t.status()
        await t.send("\x1b[21~")  # F10
        await t.until(lambda: switcher.engine is not engine, "the engine to be reloaded")
        await t.frame()
        assert switcher.engine.settings.slips.layout != first
        assert f"now {switcher.engine.info['name']}, {switcher.engine.settings.slips.layout}" in t.status()
        await t.send("the", "the")  # the new engine answers
        assert t.bar() == expected_bar(switcher.engine, "the")

    try:
        drive(engine, script, output=SizedOutput(24, 160), switcher=switcher)
    finally:
        switcher.engine.close()


# Run in a fresh interpreter where TensorFlow and Keras cannot be imported:
# the demo, the engine and LiteRT must not need them.
WITHOUT_TENSORFLOW = textwrap.dedent("""
    import json, sys

    BLOCKED = {"tensorflow", "tensorflow_cpu", "keras", "tf_keras"}

    class BlockTensorFlow:
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in BLOCKED:
                raise ImportError(f"{name} is blocked in this test")
            return None

    sys.meta_path.insert(0, BlockTensorFlow())
    try:
        import tensorflow
    except ImportError:
        pass
    else:
        sys.exit("the blocker let tensorflow in")

    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from nextkey.demo.app import build_app
    from nextkey.engine import Engine

    engine = Engine.load(sys.argv[1])
    best = engine.suggest("the", 3)
    with create_pipe_input() as inp:
        app = build_app(engine, 3, input=inp, output=DummyOutput())
        inp.send_text("the\t\x11")  # type, accept the best, quit
        code = app.run()
    print(json.dumps({
        "code": code,
        "text": app.layout.current_buffer.text,
        "best": best[0].word if best else None,
        "loaded": sorted(m for m in sys.modules if m.partition(".")[0] in BLOCKED),
    }))
""")


def test_demo_runs_the_real_engine_without_tensorflow(tiny_bundle):
    done = subprocess.run([sys.executable, "-c", WITHOUT_TENSORFLOW, str(tiny_bundle)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["loaded"] == []
    assert out["code"] == 0
    assert out["text"] == (out["best"] + " " if out["best"] else "the")


def test_build_app_rejects_a_bad_slot_count():
    with pytest.raises(ValueError, match="between 1 and 9, got 0"):
        build_app(FakeEngine(), 0)


@pytest.mark.parametrize("make_bundle", [
    lambda tmp: tmp / "no-such-bundle",
    lambda tmp: (tmp / "manifest.json").write_text("{oops") and tmp,
])
def test_run_demo_without_a_model_says_so_in_one_line(make_bundle, tmp_path, capsys):
    assert run_demo(str(make_bundle(tmp_path)), 3) == 2
    err = capsys.readouterr().err
    assert err.startswith("nextkey demo: error: cannot load the model: ") and err.count("\n") == 1
    assert "Traceback" not in err


def test_run_demo_rejects_a_bad_slot_count_in_one_line(capsys):
    assert run_demo(None, 12) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "got 12" in err


class SlipEngine(FakeEngine):
    """Offers "the" as a correction of "tge", as the engine's typo tolerance does."""

    def suggest(self, text_before_cursor: str, n: int = 3) -> list[Suggestion]:
        if partial_word(text_before_cursor) == "tge":
            return [Suggestion("the", -1.0, "completion", corrected=True)]
        return super().suggest(text_before_cursor, n)


def test_a_correction_is_marked_and_tab_replaces_the_typed_word():
    async def script(t):
        await t.send("tge", "tge")
        assert t.bar() == ["", "↻the", ""]
        await t.send(TAB, "the ")
        assert t.bar() == ["a", "the", "to"]  # a plain next word again

    drive(SlipEngine(), script)


def test_run_demo_without_a_terminal_says_so_in_one_line(capsys):
    """A newcomer's trial: `nextkey demo < /dev/null` ended in a prompt_toolkit traceback."""
    assert run_demo(None, 3) == 2  # (pytest's stdin is no terminal)
    err = capsys.readouterr().err
    assert "needs a terminal" in err and err.count("\n") == 1 and "Traceback" not in err


def test_f11_switches_to_typing_in_two_languages_and_f10_says_why_not():
    from nextkey.demo.app import Switcher

    switcher = Switcher([None, ("en", "de")])
    engine = switcher.load(None)

    async def script(t):
        await t.send("\x1b[23~")  # F11: English and German at once
        await t.until(lambda: switcher.engine is not engine, "the engine to be reloaded")
        await t.frame()
        assert switcher.engine.info["name"] == "en+de" and "now en+de" in t.status()
        await t.send("Ich habe ", "Ich habe ")
        assert t.bar() == expected_bar(switcher.engine, "Ich habe ")
        before = switcher.engine
        await t.send("\x1b[21~")  # F10: the layout is per language
        await t.frame()
        assert switcher.engine is before and "not switched" in t.status()

    try:
        drive(engine, script, output=SizedOutput(24, 160), switcher=switcher)
    finally:
        switcher.engine.close()
