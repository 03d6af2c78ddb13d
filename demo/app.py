"""The terminal typing demo: a text area with a live suggestion strip, like a phone keyboard.

Run it with ``nextkey demo [--bundle PATH] [--n N]``, or from Python::

    from nextkey.demo.app import run_demo
    run_demo(None, 3)          # None: the bundled default model

The strip shows ``n`` slots with the best suggestion in the middle, the second
best to its left, the third to its right, and so on outwards; the slot Tab
takes is marked ⇥ (and bold). A correction of
a slip of the finger ("tge" -> "the") is shown in another colour after a ↻
mark; Tab (when it is the best) or its slot key accepts it and replaces the
word typed. Keys:

    Tab             accept the best suggestion (the slot marked ⇥)
    F1..Fn, Alt+1..n  accept the suggestion in that slot, counted from the left
    F10             the next keyboard layout of the bundle's language (QWERTY, AZERTY, ...)
    F11             the next bundle, when several were given (nextkey demo --bundle A --bundle B)
    Ctrl-C, Ctrl-Q  quit

Accepting replaces the word being typed (the part before the cursor and the
rest of it after the cursor) and adds a space; a closing punctuation mark typed
right after takes that space back ("word ," becomes "word,"). Everything else
(backspace, Ctrl-W, Alt-Backspace, arrows, paste, undo) is prompt-toolkit's
own Emacs editing: the strip is recomputed from the text before the cursor
whenever that text changes, so it follows every edit and cursor move.

The status line shows the model, the latency of the last ``Engine.suggest``
call, the keystroke saving rate of this session, KSR = 1 - keystrokes /
characters produced, whether your words are learned, the layout, and the key
help; a narrow terminal drops the latency first and shortens the key help
last (F11 loads the next bundle with its own settings). Only keys that insert
text count: a typed character is one keystroke producing one character, an
accepted suggestion is one keystroke producing what it added. Deleting,
moving and pasting count on neither side.

Only the runtime is imported here (prompt-toolkit and the engine: numpy,
sentencepiece, LiteRT), never TensorFlow.
"""

from __future__ import annotations

import gc
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

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
from nextkey.engine.text import CLOSING_PUNCT, PAIRED_CLOSERS, WORD_REST, accept, partial_word, takes_space

# Alt+1..9 and F1..F9 address the slots, so nine at most.
MAX_SLOTS = 9

STYLE = Style.from_dict({
    "rule": "fg:ansibrightblack",
    "slot": "",
    "slot.best": "bold",
    "slot.tab": "fg:ansigreen bold",
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
        if after[:1].isspace() or after[:1] in CLOSING_PUNCT or after[:1] in PAIRED_CLOSERS:
            head = head[:-1]  # no second space before the space or punctuation already there
            cursor_skip = 1 if after[:1].isspace() else 0  # step over the space already there
        inserted = head[len(before) - len(partial):]
        buffer.document = Document(head + after, len(head) + cursor_skip)
        self._auto_space = (buffer.text, buffer.cursor_position) if inserted.endswith(" ") else None
        self.tally.keystrokes += 1
        self.tally.produced += len(inserted) - len(partial) - len(rest)
        return True


TAB_MARK = "⇥"  # before the word in the slot Tab takes


def _size(n_bytes: int) -> str:
    """Decimal megabytes, as the README, export and eval give sizes."""
    if n_bytes >= 1_000_000:
        return f"{n_bytes / 1e6:.1f} MB"
    return f"{n_bytes / 1e3:.0f} KB"


def _key_help(n: int, bundles: int = 1) -> list[str]:
    """The key help, longest first: the status line shows the longest that fits."""
    keys = "1" if n == 1 else f"1-{n}"
    more = " · F11 bundle" if bundles > 1 else ""
    short_more = "/F11" if bundles > 1 else ""
    return [f"Tab accept · F{keys}/Alt+{keys} pick · F10 layout{more} · Ctrl-Q quit",
            f"Tab · F{keys}/Alt+{keys} · F10 layout{more} · ^Q quit",
            f"Tab · F{keys} · F10{short_more} · ^Q"]


def fit_status(parts: list[tuple[int, str]], helps: list[str], width: int) -> str:
    """The status line: ``parts`` as (rank, text) in screen order, where rank 0 is the most
    wanted; the least wanted are dropped until the rest fit beside the shortest of ``helps``
    (longest first), which then grows to the longest that fits, flush right. The help is
    kept before any part; what still does not fit is cut at the right edge."""
    ranks = sorted({r for r, _ in parts})
    for limit in [*reversed(ranks), -1]:
        shown = [t for r, t in parts if r <= limit]
        left = " " + " │ ".join(shown) + " " if shown else " "
        if len(left) + len(helps[-1]) + 1 <= width:
            break
    right = next((h for h in helps if len(left) + len(h) + 1 <= width), helps[-1])
    return (left + " " * max(0, width - len(left) - len(right) - 1) + right + " ")[:max(width, 0)]


class Switcher:
    """Reloads the engine with another layout or bundle (F10, F11), keeping the learning choice."""

    def __init__(self, bundles: list[str | None], learn: bool = False) -> None:
        self.bundles, self.learn = bundles or [None], learn
        self.index = 0
        self.engine: Engine | None = None  # the one loaded last (run_demo closes it)

    def load(self, bundle: str | tuple[str, ...] | None, settings=None) -> Engine:
        """A bundle folder, None (the default), or a tuple of language codes (typed at once)."""
        if isinstance(bundle, tuple):
            self.engine = Engine.load(lang=list(bundle), memory=self.learn, learn=self.learn)
        else:
            self.engine = Engine.load(bundle, settings=settings, memory=self.learn, learn=self.learn)
        return self.engine

    def next_layout(self, engine: Engine) -> Engine:
        if isinstance(self.bundles[self.index], tuple):
            raise ValueError("the layout is switched per language: load one language (--lang de)")
        names = [name for name, _ in engine.pack.layouts]
        s = engine.settings
        following = names[(names.index(s.slips.layout) + 1) % len(names)] if s.slips.layout in names else names[0]
        return self.load(self.bundles[self.index], replace(s, slips=replace(s.slips, layout=following)))

    def next_bundle(self, engine: Engine) -> Engine:
        self.index = (self.index + 1) % len(self.bundles)
        return self.load(self.bundles[self.index])


def build_app(engine: Engine, n: int = 3, input: Input | None = None,
              output: Output | None = None, switcher: Switcher | None = None,
              learn: bool | None = None) -> Application[int]:
    """The full-screen demo application; ``run()`` returns 0 when the user quits.

    ``switcher``: how F10 and F11 reload the engine (None: they do nothing).
    ``learn``: whether the engine learns the words typed, shown in the status
    line (None: the switcher's choice, else not shown)."""
    if learn is None and switcher is not None:
        learn = switcher.learn
    keyboard = Keyboard(engine, n)
    text = TextArea(multiline=True, wrap_lines=True, scrollbar=False)
    key_help = _key_help(n, len(switcher.bundles) if switcher else 1)
    notice: list[str] = []  # one line shown in the status until the next key: a switch, or why it failed

    def model() -> str:
        info = keyboard.engine.info
        return f"{info['name']} · {_size(info['size_bytes'])} · {info['quantization']}"

    def learning() -> list[str]:
        return [] if learn is None else ["learning on" if learn else "learning off"]

    def layout() -> str | None:
        settings = getattr(keyboard.engine, "settings", None)
        return settings.slips.layout if settings is not None else None

    def rows() -> int:
        return get_app().output.get_size().rows

    def slot_fragments(slot: int) -> StyleAndTextTuples:
        s = keyboard.slots(text.buffer.document)[slot]
        if s is None:
            return []
        best = slot == center_out(n)[0]
        style = "class:slot.best" if best else "class:slot"
        mark = [("class:slot.tab", TAB_MARK + " ")] if best else []  # Tab's slot, not told by bold alone
        typed = partial_word(text.buffer.document.text_before_cursor)
        if s.corrected:
            # A slip was corrected: shown apart (a mark and another colour); accepting
            # it replaces the word typed, as any suggestion does.
            return mark + [(f"{style} class:slot.corrected", f"↻{s.word}")]
        if s.kind == "completion" and typed and s.word.lower().startswith(typed.lower()):
            # Underline what was typed, so a completion reads apart from a next word.
            return mark + [(f"{style} class:slot.typed", s.word[: len(typed)]), (style, s.word[len(typed):])]
        return mark + [(style, s.word)]

    def status_fragments() -> StyleAndTextTuples:
        latency = "-" if keyboard.latency_ms is None else f"{keyboard.latency_ms:.2f} ms"
        ksr = keyboard.tally.ksr
        saved = "-" if ksr is None else f"{ksr:.0%}"
        # (rank, text) in screen order: a narrow terminal drops the latency first, then the layout,
        # the model, whether learning is on, the KSR; the key help stays
        parts = [(3, model()), (5, latency), (1, f"KSR {saved}"), *[(2, t) for t in learning()],
                 *[(4, t) for t in ([layout()] if layout() else [])], *[(0, t) for t in notice]]
        width = get_app().output.get_size().columns
        return [("class:status", fit_status(parts, key_help, width))]

    def switch(load) -> None:
        """Replace the engine (F10, F11); the old one commits what it learned and closes."""
        if switcher is None:
            return
        old = keyboard.engine
        try:
            new = load(old)
        except (EngineError, ValueError) as e:
            notice[:] = [f"not switched: {' '.join(str(e).split())[:80]}"]
            return
        keyboard.engine, keyboard._before = new, None
        notice[:] = [f"now {new.info['name']}, {new.settings.slips.layout}"]
        close = getattr(old, "close", None)
        if close is not None:
            close()

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
            notice.clear()
            keyboard.type(event.current_buffer, event.data)

    @kb.add("f10")
    def _layout(event: KeyPressEvent) -> None:
        switch(switcher.next_layout if switcher else None)

    @kb.add("f11")
    def _bundle(event: KeyPressEvent) -> None:
        if switcher is not None and len(switcher.bundles) > 1:
            switch(switcher.next_bundle)

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


def run_demo(bundle: str | list[str] | None, n: int = 3, learn: bool = False) -> int:
    """Load the model and run the demo until the user quits; 2 with one line on stderr if it cannot start.

    ``bundle``: a bundle folder, several (F11 switches between them), or None for the
    bundled model; a tuple of language codes among them types in those languages at once. ``learn``: learn the words typed into the user's memory (nextkey
    memory show|wipe)."""
    if not 1 <= n <= MAX_SLOTS:
        print(f"nextkey demo: error: --n must be between 1 and {MAX_SLOTS}, got {n}", file=sys.stderr)
        return 2
    bundles = [b if isinstance(b, tuple) else str(Path(b)) for b in bundle] if isinstance(bundle, (list, tuple)) \
        else [bundle]
    switcher = Switcher(bundles or [None], learn)
    try:
        for b in switcher.bundles[1:]:  # every bundle is checked now, not at the first F11
            (Engine.load(lang=list(b)) if isinstance(b, tuple) else Engine.load(b)).close()
        engine = switcher.load(switcher.bundles[0])
    except EngineError as e:
        print(f"nextkey demo: error: cannot load the model: {' '.join(str(e).split())}", file=sys.stderr)
        return 2
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        switcher.engine.close()
        print("nextkey demo: error: the demo is a full-screen keyboard and needs a terminal (stdin and stdout); "
              "for text from a pipe use nextkey suggest", file=sys.stderr)
        return 2
    gc.freeze()  # Python's full collections then skip the objects loading made (README: embedding)
    try:
        return build_app(engine, n, switcher=switcher).run()
    finally:
        switcher.engine.close()  # the engine in use at the end (F10/F11 close the ones they replace)
