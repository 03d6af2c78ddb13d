"""A streaming typing session: a text buffer and the state that follows it.

``Engine.suggest`` and editors share this one mechanism. A Session owns its
own interpreter, so the threading rule is: one Session per thread; separate
Sessions may run in separate threads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .context import Context, WindowConfig, parse
from .decoder import WordDecoder
from .form import merge
from .runner import StepRunner
from .state import StateStack

if TYPE_CHECKING:
    from .engine import Engine

MAX_PARTIAL = 40  # longer "words" (a pasted hash, a URL) get no completions
_WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")


@dataclass(frozen=True)
class Suggestion:
    word: str  # the whole word, ready to replace the partial word
    score: float  # log-probability of the word given the context
    kind: str  # 'next' (no letters typed yet) or 'completion'


def check_text(text) -> str:
    if isinstance(text, str):
        return text
    raise TypeError(f"text must be str, got {type(text).__name__}"
                    + (" (decode bytes first, e.g. data.decode('utf-8'))" if isinstance(text, (bytes, bytearray)) else ""))


def check_n(n) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a non-negative int, got {n!r}")
    return n


class Session:
    """``learn=True`` learns each word the user commits into the engine's user
    memory; ``learn=False`` (a password field) learns nothing."""

    def __init__(self, engine: "Engine", text: str = "", learn: bool = False,
                 window: WindowConfig = WindowConfig()):
        self.engine = engine
        self.window = window
        self.learn = learn
        self.memory = engine.memory
        runner = StepRunner(engine.manifest.model_path, engine.manifest.vocab_size, engine.manifest.state_size,
                            engine.num_threads)
        self.decoder = WordDecoder(runner, engine.vocab, engine.decoder_config)
        self.stack = StateStack(runner, engine.encode, engine.manifest.start_id, engine.manifest.state_size)
        self._text = check_text(text)
        self._seen = self._text  # the text when commits were last looked for

    # -- editing ----------------------------------------------------------
    @property
    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        self._text = check_text(text)

    def type(self, chars: str) -> None:
        self._text += check_text(chars)

    def backspace(self, k: int = 1) -> None:
        k = check_n(k)
        self._text = self._text[:-k] if k else self._text

    def accept(self, suggestion: Suggestion | str) -> None:
        """Replace the word being typed by the suggestion, followed by a space."""
        word = suggestion.word if isinstance(suggestion, Suggestion) else check_text(suggestion)
        ctx = parse(self._text, self.window)
        base = self._text[: len(self._text) - len(ctx.partial)] if ctx.partial else self._text
        if base and not base[-1].isspace() and ctx.needs_space and not ctx.partial:
            base += " "
        self._text = base + word + " "
        if self.learn:
            self.memory.observe(word, _last_word(base))
            self._seen = self._text

    def _learn_commits(self) -> None:
        """Learn the words completed since the last look, when the text grew by typing."""
        old, new = self._seen, self._text
        self._seen = new
        if not self.learn or len(new) <= len(old) or len(new) - len(old) > 200 or not new.startswith(old):
            return  # an edit, a cursor move or a paste: nothing was typed word by word
        start = max(0, len(old) - 64)
        prev = None
        for m in _WORD.finditer(new, start):
            if len(old) <= m.end() < len(new) and m.start() > start:
                self.memory.observe(m.group(0), prev or _last_word(new[: m.start()]))
            prev = m.group(0)

    def close(self) -> None:
        """Save what was learned (also done every few words)."""
        self.memory.save()

    # -- predicting ---------------------------------------------------------
    def suggestions(self, n: int = 3) -> list[Suggestion]:
        n = check_n(n)
        if n == 0:
            return []
        if self.learn:
            self._learn_commits()
        ctx = parse(self._text, self.window)
        top = self.stack.sync(ctx.units)
        if len(ctx.partial) > MAX_PARTIAL:
            return []
        key = (ctx.partial, ctx.needs_space, ctx.sentence_start, n, self.memory.clock)
        found = top.results.get(key)
        if found is None:
            found = self._predict(top, ctx, n)
            top.results[key] = found
        return list(found)

    def _predict(self, top, ctx: Context, n: int) -> list[Suggestion]:
        """Words for the typed prefix, from the shortest prefix whose search already
        holds ``n`` of them.

        The searches for '', p[:1], p[:2], ... p are tried in that order, each run
        at most once per state and kept, and the first whose words, filtered by
        the whole prefix, fill the ``n`` slots answers. While typing a word this
        usually costs one search on its first letter and only filtering after;
        and since the chain depends on the prefix alone, a fresh engine and an
        incremental one give the same answer.
        """
        want = n
        typed = ctx.partial
        low = typed.lower()
        prev = _last_word(ctx.units[-1]) if ctx.units else None
        raw: dict[str, float] = {}
        shown: list[tuple[str, float]] = []
        for k in range(len(typed) + 1):
            key = ("search", low[:k], ctx.needs_space, want)
            found = top.results.get(key)
            if found is None:
                found = self.decoder.search(top.nodes(), typed[:k], ctx.needs_space, want)
                top.results[key] = found
            for w, sc in found:
                if w.lower().startswith(low):
                    raw[w] = max(sc, raw.get(w, sc))
            shown = self._shown(raw, typed, prev, ctx.sentence_start)
            if len(shown) >= n:
                break
        kind = "completion" if typed else "next"
        return [Suggestion(w, sc, kind) for w, sc in shown[:n]]

    def _shown(self, raw: dict[str, float], typed: str, prev: str | None, sentence_start: bool):
        """Memory interpolation, casing and merging, and the blocklist (a blocked
        word is offered only when the user typed it in full)."""
        scored = self.memory.combine(list(raw.items()), typed, prev) if self.memory.active else list(raw.items())
        return [(w, sc) for w, sc in merge(scored, typed, sentence_start)
                if w.lower() == typed.lower() or not self.memory.is_blocked(w)]


def _last_word(text: str) -> str | None:
    words = _WORD.findall(text[-64:])
    return words[-1] if words else None
