"""The terminal typing demo: a text area with a live suggestion strip, like a phone keyboard.

Run it with ``nextkey demo [--bundle PATH] [--n N]``, or from Python::

    from nextkey.demo.app import run_demo
    run_demo(None, 3)          # None: the bundled default model

The strip shows ``n`` slots with the best suggestion in the middle, the second
best to its left, the third to its right, and so on outwards. A correction of
a slip of the finger ("tge" -> "the") is shown in another colour after a ↻
mark; Tab (when it is the best) or its slot key accepts it and replaces the
word typed. Keys:

    Tab             accept the best suggestion
    F1..Fn, Alt+1..n  accept the suggestion in that slot, counted from the left
    Ctrl-C, Ctrl-Q  quit

Accepting replaces the word being typed (the part before the cursor and the
rest of it after the cursor) and adds a space; a closing punctuation mark typed
right after takes that space back ("word ," becomes "word,"). Everything else
(backspace, Ctrl-W, Alt-Backspace, arrows, paste, undo) is prompt-toolkit's
own Emacs editing: the strip is recomputed from the text before the cursor
whenever that text changes, so it follows every edit and cursor move.

The status line shows the model, the latency of the last ``Engine.suggest``
call and the keystroke saving rate of this session, KSR = 1 - keystrokes /
characters produced. Only keys that insert text count: a typed character is
one keystroke producing one character, an accepted suggestion is one keystroke
producing what it added. Deleting, moving and pasting count on neither side.

Only the runtime is imported here (prompt-toolkit and the engine: numpy,
sentencepiece, LiteRT), never TensorFlow.
"""

from __future__ import annotations

import gc
import sys
import time
from dataclasses import dataclass

from prompt_toolkit.application import Application, get_app
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.input import Input
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.layout import ConditionalContainer, HSplit, Layout, VSplit, Window, WindowAlign
from prompt_toolkit.layout.controls import FormattedTextControl
from prompt_toolkit.output import Output
from prompt_toolkit.styles import Style
from prompt_toolkit.widgets import TextArea

from nextkey.engine import Engine, EngineError, Suggestion
from nextkey.engine.text import CLOSING_PUNCT, WORD_REST, accept, partial_word, takes_space

# Alt+1..9 and F1..F9 address the slots, so nine at most.
MAX_SLOTS = 9

STYLE = Style.from_dict({
    "rule": "fg:ansibrightblack",
    "slot": "",
    "slot.best": "bold",
    "slot.typed": "underline",
    "slot.corrected": "italic fg:ansicyan",
    "status": "reverse",
})


def center_out(n: int) -> list[int]:
    """Screen slots (0 = leftmost) from the best suggestion to the worst: the
    middle first, then alternately one to the left and one to the right."""
    mid = (n - 1) // 2
    return sorted(range(n), key=lambda s: (abs(s - mid), s))


def arrange(suggestions: list[Suggestion], n: int) -> list[Suggestion | None]:
    """Place best-first suggestions into ``n`` screen slots; None where there are too few."""
    slots: list[Suggestion | None] = [None] * n
    for s, slot in zip(suggestions, center_out(n)):
        slots[slot] = s
    return slots


@dataclass
class Tally:
    """Keystrokes and the characters they produced, for the session's KSR."""

    keystrokes: int = 0
    produced: int = 0

    @property
    def ksr(self) -> float | None:
        return 1 - self.keystrokes / self.produced if self.produced > 0 else None


class Keyboard:
    """The strip's logic: what the slots hold for a document, and what typing
    and accepting do to a buffer. No prompt-toolkit layout in here."""

    def __init__(self, engine: Engine, n: int) -> None:
        if not 1 <= n <= MAX_SLOTS:
            raise ValueError(f"the number of slots must be between 1 and {MAX_SLOTS}, got {n}")
        self.engine = engine
        self.n = n
        self.tally = Tally()
        self.latency_ms: float | None = None
        self._before: str | None = None  # the text before the cursor that _slots belong to
        self._slots: list[Suggestion | None] = [None] * n
        # (text, cursor) right after an accept added a space: while the buffer
        # is still exactly so, closing punctuation takes the space back.
        self._auto_space: tuple[str, int] | None = None

    def slots(self, document: Document) -> list[Suggestion | None]:
        """Suggestions for the text before the cursor, in screen order.

        Called at render time and before accepting, so the engine runs once
        per distinct text before the cursor, however many keys arrived."""
        before = document.text_before_cursor
        if before != self._before:
            t0 = time.perf_counter()
            found = self.engine.suggest(before, self.n)
            self.latency_ms = (time.perf_counter() - t0) * 1e3
            self._before, self._slots = before, arrange(found, self.n)
        return self._slots

    def type(self, buffer: Buffer, data: str) -> None:
        """Insert typed text; closing punctuation right after an accept takes its space back."""
        if self._auto_space == (buffer.text, buffer.cursor_position) and takes_space(buffer.document.text_before_cursor, data):
            buffer.delete_before_cursor(1)
            self.tally.produced -= 1  # that space was counted when the word was accepted
        self._auto_space = None
        buffer.insert_text(data)
        self.tally.keystrokes += 1
        self.tally.produced += len(data)

    def accept(self, buffer: Buffer, slot: int) -> bool:
        """Replace the word being typed by the suggestion in ``slot``; False if the slot is empty."""
        assert 0 <= slot < self.n, slot
        doc = buffer.document
        chosen = self.slots(doc)[slot]
        if chosen is None:
            return False
        before, after = doc.text_before_cursor, doc.text_after_cursor
        partial = partial_word(before)
        # Mid-word ("hel|lo"), the rest of the word goes too; between words it stays.
        rest = WORD_REST.match(after).group() if partial else ""
        after = after[len(rest):]
        head = accept(before, chosen.word)  # the engine's rule: spacing before, one space after
        cursor_skip = 0
        if after[:1].isspace() or after[:1] in CLOSING_PUNCT:
            head = head[:-1]  # no second space before the space or punctuation already there
            cursor_skip = 1 if after[:1].isspace() else 0  # step over the space already there
        inserted = head[len(before) - len(partial):]
        buffer.document = Document(head + after, len(head) + cursor_skip)
        self._auto_space = (buffer.text, buffer.cursor_position) if inserted.endswith(" ") else None
        self.tally.keystrokes += 1
        self.tally.produced += len(inserted) - len(partial) - len(rest)
        return True


def _size(n_bytes: int) -> str:
    if n_bytes >= 1 << 20:
        return f"{n_bytes / (1 << 20):.1f} MB"
    return f"{n_bytes / (1 << 10):.0f} KB"


def _key_help(n: int) -> list[str]:
    """The key help, longest first: the status line shows the longest that fits."""
    keys = "1" if n == 1 else f"1-{n}"
    return [f"Tab accept · F{keys}/Alt+{keys} pick · Ctrl-Q quit",
            f"Tab · F{keys}/Alt+{keys} · ^Q quit",
            f"Tab · F{keys} · ^Q"]


def build_app(engine: Engine, n: int = 3, input: Input | None = None,
              output: Output | None = None) -> Application[int]:
    """The full-screen demo application; ``run()`` returns 0 when the user quits."""
    keyboard = Keyboard(engine, n)
    text = TextArea(multiline=True, wrap_lines=True, scrollbar=False)
    info = engine.info
    model = f"{info['name']} · {_size(info['size_bytes'])} · {info['quantization']}"
    key_help = _key_help(n)

    def rows() -> int:
        return get_app().output.get_size().rows

    def slot_fragments(slot: int) -> StyleAndTextTuples:
        s = keyboard.slots(text.buffer.document)[slot]
        if s is None:
            return []
        style = "class:slot.best" if slot == center_out(n)[0] else "class:slot"
        typed = partial_word(text.buffer.document.text_before_cursor)
        if s.corrected:
            # A slip was corrected: shown apart (a mark and another colour); accepting
            # it replaces the word typed, as any suggestion does.
            return [(f"{style} class:slot.corrected", f"↻{s.word}")]
        if s.kind == "completion" and typed and s.word.lower().startswith(typed.lower()):
            # Underline what was typed, so a completion reads apart from a next word.
            return [(f"{style} class:slot.typed", s.word[: len(typed)]), (style, s.word[len(typed):])]
        return [(style, s.word)]

    def status_fragments() -> StyleAndTextTuples:
        latency = "-" if keyboard.latency_ms is None else f"{keyboard.latency_ms:.2f} ms"
        ksr = keyboard.tally.ksr
        saved = "-" if ksr is None else f"{ksr:.0%}"
        left = f" {model} │ {latency} │ KSR {saved} "
        width = get_app().output.get_size().columns
        for right in key_help:
            if len(left) + len(right) + 1 <= width:
                left += " " * (width - len(left) - len(right) - 1) + right + " "
                break
        return [("class:status", left)]

    slots: list[Window] = []
    for slot in range(n):
        if slot:
            slots.append(Window(width=1, char="│", style="class:rule"))
        slots.append(Window(FormattedTextControl(lambda slot=slot: slot_fragments(slot)),
                            align=WindowAlign.CENTER, height=1))

    # A short terminal drops the rule, then the status line, then the strip,
    # before prompt-toolkit would have to say the window is too small.
    root = HSplit([
        text,
        ConditionalContainer(Window(height=1, char="─", style="class:rule"), Condition(lambda: rows() >= 5)),
        ConditionalContainer(VSplit(slots, height=1), Condition(lambda: rows() >= 2)),
        ConditionalContainer(Window(FormattedTextControl(status_fragments), height=1, style="class:status"),
                             Condition(lambda: rows() >= 3)),
    ])

    kb = KeyBindings()

    # Application bindings take precedence over prompt-toolkit's defaults for
    # the same keys, so these replace its self-insert, Enter and Tab.
    @kb.add(Keys.Any, save_before=lambda e: not e.is_repeat)
    def _type(event: KeyPressEvent) -> None:
        if event.data.isprintable():  # not an unbound control or function key
            keyboard.type(event.current_buffer, event.data)

    @kb.add("enter")
    def _enter(event: KeyPressEvent) -> None:
        keyboard.type(event.current_buffer, "\n")

    @kb.add("tab")
    def _best(event: KeyPressEvent) -> None:
        keyboard.accept(event.current_buffer, center_out(n)[0])

    for slot in range(n):
        @kb.add(f"f{slot + 1}")
        @kb.add("escape", str(slot + 1))
        def _pick(event: KeyPressEvent, slot: int = slot) -> None:
            keyboard.accept(event.current_buffer, slot)

    @kb.add("c-c")
    @kb.add("c-q")
    def _quit(event: KeyPressEvent) -> None:
        event.app.exit(result=0)

    return Application(layout=Layout(root, focused_element=text), key_bindings=kb, style=STYLE,
                       full_screen=True, input=input, output=output)


def run_demo(bundle: str | None, n: int = 3, learn: bool = False) -> int:
    """Load the model and run the demo until the user quits; 2 with one line on stderr if it cannot start.

    ``learn``: learn the words typed into the user's memory (nextkey memory show|wipe)."""
    if not 1 <= n <= MAX_SLOTS:
        print(f"nextkey demo: error: --n must be between 1 and {MAX_SLOTS}, got {n}", file=sys.stderr)
        return 2
    try:
        engine = Engine.load(bundle, memory=learn, learn=learn)
    except EngineError as e:
        print(f"nextkey demo: error: cannot load the model: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
    gc.freeze()  # Python's full collections then skip the objects loading made (README: embedding)
    try:
        return build_app(engine, n).run()
    finally:
        engine.close()
