"""A streaming typing session: a text buffer and the state that follows it.

``Engine.suggest`` and editors share this one mechanism. A Session owns its
own interpreter, so the threading rule is: one Session per thread; separate
Sessions may run in separate threads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .context import Context, WindowConfig, parse
from .decoder import WordDecoder
from .form import merge
from .runner import StepRunner
from .state import StateStack

if TYPE_CHECKING:
    from .engine import Engine

MAX_PARTIAL = 40
SEARCH_WORDS = 16  # words each search keeps, for later keystrokes to filter  # longer "words" (a pasted hash, a URL) get no completions


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
    def __init__(self, engine: "Engine", text: str = "", window: WindowConfig = WindowConfig()):
        self.engine = engine
        self.window = window
        runner = StepRunner(engine.manifest.model_path, engine.manifest.vocab_size, engine.manifest.state_size,
                            engine.num_threads)
        self.decoder = WordDecoder(runner, engine.vocab, engine.decoder_config)
        self.stack = StateStack(runner, engine.encode, engine.manifest.start_id, engine.manifest.state_size)
        self._text = check_text(text)

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

    # -- predicting ---------------------------------------------------------
    def suggestions(self, n: int = 3) -> list[Suggestion]:
        n = check_n(n)
        if n == 0:
            return []
        ctx = parse(self._text, self.window)
        top = self.stack.sync(ctx.units)
        if len(ctx.partial) > MAX_PARTIAL:
            return []
        key = (ctx.partial, ctx.needs_space, ctx.sentence_start, n)
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
            shown = merge(list(raw.items()), typed, ctx.sentence_start)
            if len(shown) >= n:
                break
        kind = "completion" if typed else "next"
        return [Suggestion(w, sc, kind) for w, sc in shown[:n]]
