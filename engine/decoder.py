"""Best-first search from subword pieces to whole words.

From the state after the committed context, a word opens with a '▁' piece
(or, glued to punctuation like "(wor", a continuation piece), grows with
continuation pieces, and ends where the model puts its mass on a boundary (a
next word start, punctuation or </s>). A word's score is the log-probability
of its pieces plus the log of that boundary mass.

A typed prefix constrains the search, and every tokenization consistent with
it is allowed: "th" may be the start of "▁the" or "▁th"+"ink". With a
lexicon, only paths that spell a prefix of a lexicon word are walked and only
lexicon words are finished, in the lexicon's spelling. The search is
best-first and stops as soon as no partial word can still reach the top, so
the model runs for few paths. Expanded nodes are memoized per path, so the
next keystroke of the same word reuses them.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np

from .lexicon import fold
from .runner import StepRunner
from .state import Node
from .vocab import Vocab
from .walk import LexiconWalk


@dataclass(frozen=True)
class DecoderConfig:
    children: int = 8  # continuations queued per expanded path
    max_pieces: int = 6  # longest word, in pieces
    max_expansions: int = 12  # model steps per search, at most: 24 gave the same KSR and twice the p99


class NodeCache:
    """Expanded paths below one committed state: path (tuple of ids) -> Node.

    Bounded: a node holds V log-probs (32 KB at V=8000). ``trim`` drops all but
    the root once the cache is over ``limit``; it runs between searches only,
    so a search never loses the parent of a path it has queued."""

    def __init__(self, root: Node, limit: int = 512):
        self.nodes: dict[tuple[int, ...], Node] = {(): root}
        self.limit = limit

    def get(self, path: tuple[int, ...]) -> Node | None:
        return self.nodes.get(path)

    def put(self, path: tuple[int, ...], node: Node) -> None:
        self.nodes[path] = node

    def trim(self) -> None:
        if len(self.nodes) > self.limit:
            self.nodes = {(): self.nodes[()]}


class WordDecoder:
    def __init__(self, runner: StepRunner, vocab: Vocab, cfg: DecoderConfig = DecoderConfig(),
                 walk: LexiconWalk | None = None):
        """``walk``: the lexicon's pieces (shared by the engine's sessions); None: no lexicon."""
        self.runner, self.vocab, self.cfg, self.walk = runner, vocab, cfg, walk
        self.lexicon = None if walk is None else walk.lexicon
        # The lexicon's fold (the bundle's language pack's): typed prefixes and piece paths
        # are compared folded; a fold may lengthen text ("ö" -> "oe"), so lengths are folded too.
        self.fold = fold if walk is None else walk.lexicon.fold

    def _expand(self, cache: NodeCache, path: tuple[int, ...]) -> Node:
        """The node after ``path``, running one step from its parent unless cached."""
        node = cache.get(path)
        if node is None:
            parent = cache.get(path[:-1])
            assert parent is not None, path
            lps, sts = self.runner.step(np.array([path[-1]], np.int32), parent.state[None, :])
            node = Node(lps[0].copy(), sts[0].copy())
            cache.put(path, node)
        return node

    def search(self, cache: NodeCache, prefix: str, needs_space: bool, n_words: int) -> list[tuple[str, float]]:
        """The words found (model spelling, log-prob), best first.

        Best-first: partial words wait in a heap by their log-probability so
        far, which bounds the score of any word they can become. The best is
        expanded (one ``step``), which scores it as a finished word (its
        boundary mass) and queues its best continuations. The search stops
        when no queued path can beat the ``n_words``-th word found, so the
        model runs only for paths that may reach the top.
        """
        cfg, vocab = self.cfg, self.vocab
        cache.trim()
        fold = self.fold
        want = fold(prefix)
        finished: dict[str, float] = {}
        heap: list[tuple[float, tuple[int, ...], str]] = []
        root = cache.get(())
        self._push_children(heap, root.logprobs, 0.0, (), "", want, first=needs_space)
        expanded = 0
        while heap and expanded < cfg.max_expansions:
            if len(finished) >= n_words:
                floor = sorted(finished.values(), reverse=True)[n_words - 1]
                if -heap[0][0] <= floor:
                    break
            neg, path, text = heapq.heappop(heap)
            row = self._expand(cache, path).logprobs  # (V,)
            expanded += 1
            score = -neg
            word = self._word(text) if text and len(fold(text)) >= len(want) else None
            if word is not None:
                end = float(np.log(np.maximum(np.exp(row) @ vocab.boundary_f, 1e-30)))  # boundary mass
                prev = finished.get(word)
                total = score + end
                finished[word] = total if prev is None else float(np.logaddexp(prev, total))
            if len(path) < cfg.max_pieces:
                self._push_children(heap, row, score, path, text, want, first=False)
        return sorted(finished.items(), key=lambda kv: -kv[1])

    def score_path(self, cache: NodeCache, ids: list[int], max_pieces: int | None = None) -> float:
        """log p of a word spelled by ``ids`` from the root, with its boundary mass
        (one segmentation: the tokenizer's); only its first ``max_pieces`` pieces (None:
        the decoder's ``max_pieces``, what a search reaches) are scored."""
        total, path = 0.0, ()
        cache.trim()
        node = cache.get(())
        for t in ids[: self.cfg.max_pieces if max_pieces is None else max_pieces]:
            total += float(node.logprobs[t])
            path = path + (t,)
            node = self._expand(cache, path)
        return total + float(np.log(np.maximum(np.exp(node.logprobs) @ self.vocab.boundary_f, 1e-30)))

    def _word(self, text: str) -> str | None:
        """The word a finished path spells: the lexicon's spelling, None if it is no word."""
        if self.lexicon is None:
            return text
        i = self.lexicon.index(text)
        return None if i is None else self.lexicon.forms[i]

    def _push_children(self, heap, logprobs, score, path, text, want, first: bool) -> None:
        """Queue the best ``children`` next pieces consistent with the prefix (and the lexicon)."""
        spelled = self.fold(text)
        rest = want[len(spelled):]
        ids = self.vocab.candidates(first, rest) if self.walk is None else self.walk.pieces(first, spelled, rest)
        if len(ids) == 0:
            return
        row = logprobs[ids]
        k = self.cfg.children
        if len(ids) > k:
            top = np.argpartition(-row, k - 1)[:k]
            ids, row = ids[top], row[top]
        for t, s in zip(ids.tolist(), row.tolist()):
            heapq.heappush(heap, (-(score + s), path + (t,), text + self.vocab.text[t]))
