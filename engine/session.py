"""A streaming typing session: the text before the cursor and the model state
that follows it.

``Engine.suggest`` and editors share this one mechanism. The Engine wires the
parts (an interpreter of the Session's own, the decoder, the state stack, the
shared user memory); the Session owns only the text, its state and what it
memoized for the current state. The threading rule: one Session per thread;
separate Sessions may run in separate threads.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass

from .context import Context, parse
from .decoder import NodeCache, WordDecoder
from .form import merge, merge_corrections
from .keyboard import SlipModel
from .lexicon import fold
from .memory import UserMemory
from .state import Snapshot, StateStack
from .text import NOT_AT_HYPHEN_EDGE, WORD, accept, check_n, check_text, last_word, partial_word

MAX_PARTIAL = 40  # longer "words" (a pasted hash, a URL) get no completions
AHEAD_STEPS = 2  # steps per keystroke spent feeding what a moving window will hold (context.py)


@dataclass(frozen=True)
class Suggestion:
    word: str  # the whole word, ready to replace the partial word
    score: float  # log-probability of the word given the context
    kind: str  # 'next' (no letters typed yet) or 'completion'
    corrected: bool = False  # the word does not start with what was typed: a slip was corrected


class _Memo:
    """What was computed for one committed state; dropped when the state changes.

    ``searches``: decoder results by (lowercased prefix, needs_space, words wanted);
    ``answers``: the suggestions shown, by (stem, partial, needs_space, sentence_start,
    n, apostrophe), for the memory version ``version`` only: any change to the memory
    or blocklist empties them. Both are bounded (``MAX_SEARCHES``, ``MAX_ANSWERS``
    entries; emptied when full): the memo of the sentence-start state lives as long
    as the session."""

    MAX_SEARCHES = 1024  # a search holds at most a few dozen (word, score) pairs
    MAX_ANSWERS = 1024

    def __init__(self, top: Snapshot):
        self.top = top
        self.nodes = NodeCache(top.node)
        self.searches: dict[tuple[str, bool, int], list[tuple[str, float]]] = {}
        self.answers: dict[tuple[str, str, bool, bool, int, str], list[Suggestion]] = {}
        self.version = -1  # the memory version the answers were computed for

    def answers_for(self, version: int) -> dict:
        if version != self.version or len(self.answers) >= self.MAX_ANSWERS:
            self.answers, self.version = {}, version
        return self.answers

    def bound(self) -> None:
        if len(self.searches) >= self.MAX_SEARCHES:
            self.searches = {}


class Session:
    """``learn=True`` learns each word the user commits into the user memory;
    ``learn=False`` (a password field) learns nothing."""

    def __init__(self, stack: StateStack, decoder: WordDecoder, memory: UserMemory, text: str = "",
                 learn: bool = False, slips: SlipModel | None = None):
        self.stack, self.decoder, self.memory, self.learn, self.slips = stack, decoder, memory, learn, slips
        self._text = check_text(text)
        self._seen = self._text  # the text when commits were last looked for
        self._memo: _Memo | None = None
        self._root_memo: _Memo | None = None  # every sentence starts here: its searches are kept

    # -- editing ----------------------------------------------------------
    @property
    def text(self) -> str:
        return self._text

    def set_text(self, text: str) -> None:
        self._text = check_text(text)

    def type(self, chars: str) -> None:
        self._text += check_text(chars)

    def backspace(self, k: int = 1) -> None:
        k = check_n(k, limit=sys.maxsize)
        self._text = self._text[:-k] if k else self._text

    def accept(self, suggestion: Suggestion | str) -> None:
        """Replace the word being typed by the suggestion, followed by a space."""
        word = suggestion.word if isinstance(suggestion, Suggestion) else check_text(suggestion)
        before = self._text
        self._text = accept(before, word)
        if self.learn:
            base = self._text[: len(self._text) - len(word) - 1]
            self.memory.observe(word, last_word(base))
            self._seen = self._text

    def _learn_commits(self) -> None:
        """Learn the words completed since the last look, when the text grew by typing."""
        old, new = self._seen, self._text
        self._seen = new
        if len(new) <= len(old) or len(new) - len(old) > 200 or not new.startswith(old):
            return  # an edit, a cursor move or a paste: nothing was typed word by word
        start = max(0, len(old) - 64)
        prev = None
        for m in WORD.finditer(new, start):
            if len(old) <= m.end() < len(new) and m.start() > start:
                self.memory.observe(m.group(0), prev or last_word(new[: m.start()]))
            prev = m.group(0)

    def close(self) -> None:
        """Save what was learned (the memory also saves as it goes)."""
        self.memory.save()

    # -- predicting ---------------------------------------------------------
    def context(self, text: str | None = None) -> Context:
        """What the model is fed for ``text`` (default: this session's text), and the word being typed."""
        return parse(self._text if text is None else check_text(text), keep_whole=self._keeps_whole)

    def _keeps_whole(self, folded: str) -> bool:
        """Whether a hyphenated word being typed is completed whole: a known word begins
        with it, or a part before its last hyphen is no known word (then no whole word
        made from it would be one)."""
        lexicon = self.decoder.lexicon
        return lexicon is None or lexicon.has_prefix(folded) or bool(self.memory.candidates(folded, 1)) \
            or not all(p and self._known(p) for p in folded.split("-")[:-1])

    def knows(self, word: str) -> bool:
        """Whether ``word`` is one the engine may offer: in the lexicon (any word
        without one) or learned from the user, or made of such words joined by
        hyphens ("role-playing")."""
        if self._known(word):
            return True
        parts = word.split("-")
        return len(parts) > 1 and all(p and self._known(p) for p in parts)

    def _known(self, word: str) -> bool:
        lexicon = self.decoder.lexicon
        return lexicon is None or word in lexicon or self.memory.prob(word, None) > 0

    def suggestions(self, n: int = 3) -> list[Suggestion]:
        n = check_n(n)
        if n == 0:
            return []
        if self.learn:
            self._learn_commits()
        ctx = self.context()
        searched = (self._memo.top, self._memo.nodes.get) if self._memo is not None else None
        memo = self._memo_for(self.stack.sync(ctx.units, searched))
        self.stack.feed_ahead(ctx.ahead, AHEAD_STEPS)
        if len(ctx.partial) > MAX_PARTIAL or len(partial_word(self._text)) > MAX_PARTIAL:
            return []  # (the window may have cut a very long "word": still no completions)
        answers, apostrophe = memo.answers_for(self.memory.version), self._apostrophe()
        key = (ctx.stem, ctx.partial, ctx.needs_space, ctx.sentence_start, n, apostrophe)
        found = answers.get(key)
        if found is None:
            memo.bound()
            found = answers[key] = self._predict(memo, ctx, n, apostrophe)
        return list(found)

    def _memo_for(self, top: Snapshot) -> _Memo:
        if self._memo is None or self._memo.top is not top:
            if top is self.stack.snapshots[0]:
                if self._root_memo is None:
                    self._root_memo = _Memo(top)
                self._memo = self._root_memo
            else:
                self._memo = _Memo(top)
        return self._memo

    def _predict(self, memo: _Memo, ctx: Context, n: int, apostrophe: str) -> list[Suggestion]:
        """Words for the typed prefix, from the shortest prefix whose search already
        holds ``n`` of them.

        The searches for '', p[:1], p[:2], ... p are tried in that order, each run
        at most once per state and kept, and the first whose words, filtered by
        the whole prefix, fill the ``n`` slots answers. While typing a word this
        usually costs one search on its first letter and only filtering after;
        and since the chain depends on the prefix alone, a fresh engine and an
        incremental one give the same answer.
        """
        typed = ctx.partial
        low = fold(typed)
        prev = last_word(ctx.units[-1]) if ctx.units else None
        raw: dict[str, float] = {}
        shown: list[tuple[str, float]] = []
        for k in range(len(typed) + 1):
            key = (low[:k], ctx.needs_space, n)
            found = memo.searches.get(key)
            if found is None:
                found = memo.searches[key] = self.decoder.search(memo.nodes, typed[:k], ctx.needs_space, n)
            for w, sc in found:
                if fold(w).startswith(low):
                    raw[w] = max(sc, raw.get(w, sc))
            if len(self._shown(raw, typed, prev, ctx.sentence_start, 0, apostrophe, ctx.stem)) >= n:
                break
        # The lexicon's most frequent words of the prefix join only now, so they
        # fill slots the model's words leave empty but never cut its search short.
        shown = self._shown(raw, typed, prev, ctx.sentence_start, self.decoder.cfg.prior_words, apostrophe, ctx.stem)
        kind = "completion" if typed else "next"
        found = [Suggestion(w, sc, kind) for w, sc in shown]
        if self.slips is not None and ctx.needs_space and len(low) >= self.slips.cfg.min_typed:
            found = self._with_corrections(memo, found, typed, ctx.sentence_start, n, apostrophe)
        if ctx.stem:  # the whole word: "role-" + "playing"
            found = [Suggestion(ctx.stem + s.word, s.score, "completion", s.corrected) for s in found]
        return found[:n]

    def _with_corrections(self, memo: _Memo, found: list[Suggestion], typed: str, sentence_start: bool,
                          n: int, apostrophe: str) -> list[Suggestion]:
        """Add the words a slip of the finger may have meant, scored by the model
        from the same state plus the slip's log-likelihood, to the strip.

        A word typed in full that is a real word (in the lexicon or learned)
        keeps its place: a correction never pushes it out of the strip."""
        lexicon, cfg = self.decoder.lexicon, self.slips.cfg
        if lexicon is None:
            return found
        if len(found) >= n and found[n - 1].score >= self.slips.best_cost:
            # A corrected word scores at most its slip's cost (its model and prior
            # probability is at most 1): none can enter a full strip whose weakest
            # word already scores as much, so none is scored.
            return found
        low = fold(typed)
        best: dict[int, float] = {}
        for q, cost in self.slips.meant(low, lexicon.has_prefix).items():
            for i in lexicon.completions(q, 2):
                if not fold(lexicon.forms[i]).startswith(low):
                    best[i] = max(best.get(i, -math.inf), cost + float(lexicon.logprior[i]))
        if not best:
            return found
        chosen = sorted(best, key=lambda i: -best[i])[: cfg.max_candidates]
        slip = {lexicon.forms[i]: best[i] - float(lexicon.logprior[i]) for i in chosen}
        model = [(w, self.decoder.score_path(memo.nodes, self.stack.encode(w))) for w in slip]
        # the same interpolation with the prior as every other word, then the slip's cost
        scored = [(w, sc + slip[w]) for w, sc in lexicon.combine(model, low, self.decoder.cfg.prior_weight, 0)]
        shown = {fold(s.word) for s in found}
        kind = found[0].kind if found else "completion"
        extra = [Suggestion(word, sc, kind, corrected=True)
                 for word, sc in merge_corrections(scored, typed, sentence_start, apostrophe)
                 if fold(word) not in shown and not self.memory.is_blocked(word)]
        merged = sorted(found + extra, key=lambda s: -s.score)[:n]
        if not any(s.corrected for s in merged) or any(fold(s.word) == low for s in merged):
            return merged
        if self.knows(typed):
            # A real word typed in full is never pushed out by a correction: it takes
            # the place of the weakest one, scored by the model like the others.
            exact = next((s for s in found if fold(s.word) == low), None)
            if exact is None:
                form = lexicon.forms[i] if (i := lexicon.index(typed)) is not None else typed
                shaped = merge_corrections([(form, 0.0)], typed, sentence_start, apostrophe)
                score = self.decoder.score_path(memo.nodes, self.stack.encode(form))
                exact = Suggestion(shaped[0][0] if shaped else typed, score, kind)
            weakest = max((k for k, s in enumerate(merged) if s.corrected), key=lambda k: -merged[k].score)
            merged[weakest] = exact
            merged.sort(key=lambda s: -s.score)
        return merged

    def _shown(self, raw: dict[str, float], typed: str, prev: str | None, sentence_start: bool, prior_words: int,
               apostrophe: str, stem: str = ""):
        """The lexicon's prior and the memory interpolated, casing and merging,
        and the blocklist (a blocked word is offered only when the user typed it in full);
        after a ``stem`` ("role-"), no word that never ends a hyphenated one."""
        scored = list(raw.items())
        lexicon, cfg = self.decoder.lexicon, self.decoder.cfg
        if lexicon is not None:
            scored = lexicon.combine(scored, fold(typed), cfg.prior_weight, prior_words)
        if self.memory.active:
            scored = self.memory.combine(scored, typed, prev)
        return [(w, sc) for w, sc in merge(scored, typed, sentence_start, apostrophe)
                if (fold(w) == fold(typed) or not self.memory.is_blocked(w))
                and not (stem and fold(w) in NOT_AT_HYPHEN_EDGE)]

    def _apostrophe(self) -> str:
        """The apostrophe the user types (’ or '), by the last one in the recent text; ' by default."""
        tail = self._text[-500:]
        return "’" if tail.rfind("’") > tail.rfind("'") else "'"
