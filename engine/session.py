"""A streaming typing session: the text before the cursor and the model state
that follows it.

``Engine.suggest`` and editors share this one mechanism. The Engine wires the
parts (pipeline.py: the sources, the combiner and the selector, over an
interpreter of the session's own); the Session owns only the text, its state
stack and the Position (what was computed) for the current state, and asks the
tracker and the pipeline in one direction. The threading rule: one Session per
thread; separate Sessions may run in separate threads.
"""

from __future__ import annotations

import sys

from .tracker import Context, parse
from .known import KnownWords
from .lang import LanguagePack
from .memory import UserMemory
from .pipeline import Pipeline, Suggestion
from .position import Position
from .settings import EngineSettings
from .sources import Query
from .sources.recency import HISTORY_WORDS
from .state import Snapshot, StateStack
from .text import SPACE as _SPACE, sentence_start, accept, check_n, check_text, in_address, last_word, learnable_words, learned_form, partial_word, takes_space

HISTORY_CHARS = 2000  # Query.history looks this far back in the field (characters)

# Letters that follow an apostrophe in a possessive or contraction ("'s", "'t", "'d", "'m",
# "'ll", "'re", "'ve"): typed after an accepted word's space and a ', they join the word.
_TAILS = frozenset("stdmlrv")


class Session:
    """``learn=True`` learns each word the user commits into the user memory;
    ``learn=False`` (a password field) learns nothing."""

    def __init__(self, stack: StateStack, pipeline: Pipeline, memory: UserMemory, known: KnownWords,
                 settings: EngineSettings, pack: LanguagePack, text: str = "", learn: bool = False):
        """``pack``: the bundle's language (the tracker's rules, the apostrophes typed)."""
        self.stack, self.pipeline, self.memory, self.known, self.learn = stack, pipeline, memory, known, learn
        # Query.history is built only for a source that reads it (recency.py: ``needs_history``)
        self._wants_history = any(getattr(src, "needs_history", False) for src in pipeline.combiner.sources)
        self.settings, self.pack = settings, pack
        self._text = check_text(text)
        self._seen = self._text  # the text when commits were last looked for
        self._hist: tuple[str, tuple[str, ...]] | None = None  # (committed text, its Query.history)
        self._auto_space = -1  # the text's length right after an accept added its space (-1: none)
        self._pos: Position | None = None
        self._root_pos: Position | None = None  # every sentence starts here: its searches are kept

    # -- editing ----------------------------------------------------------
    @property
    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        self._text = check_text(text)
        self._auto_space = -1

    def type(self, chars: str) -> None:
        """Append ``chars``. Right after ``accept``, closing punctuation (". , ? ! : ;",
        a closing bracket or quote: text.takes_space) takes back the space the accept added,
        and so does an apostrophe followed by a possessive or contraction ending ("'s",
        "'ll": "James" accepted, then "'s" -> "James's"). With ``learn``, the words
        committed so far are learned (as ``suggest`` does); more than 200 characters at
        once is a paste, not typing, and is not learned (``Engine.learn_text`` learns a text)."""
        chars = check_text(chars)
        text = self._text
        if self._auto_space == len(text) and (takes_space(text, chars) or (
                chars[:1] in self.pack.apostrophes and chars[1:2] in _TAILS)):  # "'s" typed at once
            text = text[:-1]
        elif self._auto_space == len(text) - 1 and text.endswith(" '") and chars[:1] in _TAILS:
            text = text[:-2] + "'"  # "James '" + "s": the apostrophe was a possessive's, not a quote
        self._auto_space = len(text) if self._auto_space == len(self._text) and chars == "'" else -1
        self._text = text + chars
        if self.learn:
            self._learn_commits()

    def backspace(self, k: int = 1) -> None:
        k = check_n(k, limit=sys.maxsize)
        self._text = self._text[:-k] if k else self._text
        self._auto_space = -1

    def accept(self, suggestion: Suggestion | str) -> None:
        """Replace the word being typed by the suggestion, followed by a space."""
        word = suggestion.word if isinstance(suggestion, Suggestion) else check_text(suggestion)
        before = self._text
        self._text = accept(before, word)
        self._auto_space = len(self._text)
        if self.learn:
            base = self._text[: len(self._text) - len(word) - 1]
            self.memory.observe(word, last_word(base), sentence_start=self._starts_sentence(base))
            self._seen = self._text

    def _learn_commits(self) -> None:
        """Learn the words completed since the last look, when the text grew by typing."""
        old, new = self._seen, self._text
        self._seen = new
        if len(new) <= len(old) or len(new) - len(old) > 200 or not new.startswith(old):
            return  # an edit, a cursor move or a paste: nothing was typed word by word
        start = max(0, len(old) - 64)
        prev = None
        # A word is learned when the whitespace after its chunk is typed: by then an address
        # ("https:" becoming "https://...") shows what it is, and it is never learned.
        for at, word in learnable_words(new[start:], self.pack):
            at += start
            gap = _SPACE.search(new, at + len(word))
            # (a word at the lookback's start may be cut: skipped, unless it starts the text)
            if gap is not None and len(old) <= gap.start() < len(new) and (at > start or start == 0):
                self.memory.observe(learned_form(word, self.pack), prev or last_word(new[:at], self.pack),
                                    sentence_start=self._starts_sentence(new[:at]))
            prev = learned_form(word, self.pack)

    def _starts_sentence(self, before: str) -> bool:
        """Whether a word typed after ``before`` begins a sentence (the pack's rule; only the
        last 300 characters are looked at: a learned word's case vote, not the model's context)."""
        tail = before[-300:]
        start = sentence_start(tail, self.pack)
        rest = tail[start:].strip().lstrip(self.pack.opening_quotes)
        return not rest and (start > 0 or len(before) <= 300)

    # -- predicting ---------------------------------------------------------
    def context(self, text: str | None = None) -> Context:
        """What the model is fed for ``text`` (default: this session's text), and the word being typed."""
        return parse(self._text if text is None else check_text(text), self.settings.window,
                     keep_whole=self.known.keeps_whole, pack=self.pack)

    def suggest(self, n: int = 3) -> list[Suggestion]:
        """At most ``n`` suggestions for the text, best first (pipeline.Suggestion).
        Raises TypeError/ValueError for an ``n`` that is not an int in 0..100."""
        n = check_n(n)
        if n == 0:
            return []
        if self.learn:
            self._learn_commits()
        ctx = self.context()
        searched = (self._pos.top, self._pos.nodes.get) if self._pos is not None else None
        pos = self._position(self.stack.sync(ctx.units, searched))
        self.stack.feed_ahead(ctx.ahead, self.settings.ahead_steps)
        limit = self.settings.max_partial
        if len(ctx.partial) > limit or len(partial_word(self._text)) > limit or in_address(self._text):
            return []  # a very long "word" (the window may have cut it) or an address: no dictionary words
        answers, apostrophe = pos.answers_for(self.memory.version), self._apostrophe()
        key = (ctx.stem, ctx.partial, ctx.needs_space, ctx.sentence_start, n, apostrophe)
        found = answers.get(key)
        if found is None:
            pos.bound()
            prev = last_word(ctx.units[-1]) if ctx.units else None
            recent = self.pack.word_re.findall(" ".join(ctx.units[-2:])[-120:]) if ctx.units else []
            q = Query(ctx.partial, self.pack.fold(ctx.partial), prev, ctx.needs_space, ctx.sentence_start, n,
                      apostrophe, ctx.stem, context=tuple(recent[-2:]),
                      history=self._history() if self._wants_history else ())
            found = answers[key] = self.pipeline.predict(q, pos)
        return list(found)

    def _history(self) -> tuple[str, ...]:
        """The words of the field before the one typed (Query.history): outside addresses, the
        last HISTORY_WORDS of the last HISTORY_CHARS characters; one tuple per committed text."""
        committed = self._text[: len(self._text) - len(partial_word(self._text, self.pack))]
        if self._hist is not None and self._hist[0] == committed:
            return self._hist[1]
        start = max(0, len(committed) - HISTORY_CHARS)
        words = learnable_words(committed[start:], self.pack)
        if start > 0 and words and words[0][0] == 0:
            words = words[1:]  # cut by the lookback
        history = tuple(w for _, w in words[-HISTORY_WORDS:])
        self._hist = (committed, history)
        return history

    def unit_logprobs(self) -> list[tuple[str, float]]:
        """The committed units of the text (the context window's: tracker.py) and the
        natural-log probability the model gives each, oldest first. Feeds the model what
        ``suggest`` would (its next call reuses the state)."""
        ctx = self.context()
        searched = (self._pos.top, self._pos.nodes.get) if self._pos is not None else None
        self._position(self.stack.sync(ctx.units, searched))
        snaps = self.stack.snapshots
        return [(s.unit, s.logprob - p.logprob) for p, s in zip(snaps, snaps[1:])]

    def _position(self, top: Snapshot) -> Position:
        if self._pos is None or self._pos.top is not top:
            if top is self.stack.snapshots[0]:
                if self._root_pos is None:
                    self._root_pos = Position(top)
                self._pos = self._root_pos
            else:
                self._pos = Position(top)
        return self._pos

    def _apostrophe(self) -> str:
        """The apostrophe the user types (one of the pack's, ' or ’ in English), by the last one
        in the recent text; the pack's first by default."""
        tail = self._text[-500:]
        return max(self.pack.apostrophes, key=tail.rfind)
