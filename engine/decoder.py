"""Beam search from subword pieces to whole words.

From the state after the committed context, a word opens with a '▁' piece
(or, glued to punctuation like "(wor", a continuation piece), grows with
continuation pieces, and ends where the model puts its mass on a boundary (a
next word start, punctuation or </s>). A word's score is the log-probability
of its pieces plus the log of that boundary mass.

A typed prefix constrains the search, and every tokenization consistent with
it is allowed: "th" may be the start of "▁the" or "▁th"+"ink". The beams
advance together in one batched ``step`` call per depth. Expanded nodes are
memoized per path, so the next keystroke of the same word reuses them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .runner import StepRunner
from .vocab import Vocab


@dataclass(frozen=True)
class DecoderConfig:
    beam: int = 8  # paths kept per depth
    max_pieces: int = 6  # longest word, in pieces


@dataclass
class Node:
    logprobs: np.ndarray  # (V,) next-piece distribution after this path
    state: np.ndarray  # (S,)


class NodeCache:
    """Expanded paths below one committed state: path (tuple of ids) -> Node."""

    def __init__(self, root: Node, limit: int = 4096):
        self.nodes: dict[tuple[int, ...], Node] = {(): root}
        self.limit = limit

    def get(self, path):
        return self.nodes.get(path)

    def put(self, path, node: Node) -> None:
        if len(self.nodes) >= self.limit:  # bound memory on long sessions: keep only the root
            root = self.nodes[()]
            self.nodes = {(): root}
        self.nodes[path] = node


class WordDecoder:
    def __init__(self, runner: StepRunner, vocab: Vocab, cfg: DecoderConfig = DecoderConfig()):
        self.runner, self.vocab, self.cfg = runner, vocab, cfg

    def _expand(self, cache: NodeCache, paths: list[tuple[int, ...]]) -> list[Node]:
        """Nodes for ``paths``, running one batched step for those not yet cached."""
        missing = [p for p in paths if cache.get(p) is None]
        if missing:
            parents = [cache.get(p[:-1]) for p in missing]
            assert all(par is not None for par in parents)
            tokens = np.array([p[-1] for p in missing], np.int32)
            states = np.stack([par.state for par in parents])
            lps, sts = self.runner.step(tokens, states)
            for i, p in enumerate(missing):
                cache.put(p, Node(lps[i].copy(), sts[i].copy()))
        return [cache.get(p) for p in paths]

    def search(self, cache: NodeCache, prefix: str, needs_space: bool, n_words: int) -> list[tuple[str, float]]:
        """The words found (model spelling, log-prob), best first; exact for the
        best ``n_words`` within the beam: a path is dropped once it scores below
        the ``n_words``-th finished word, since a longer word only scores lower."""
        cfg, vocab = self.cfg, self.vocab
        want = prefix.lower()
        beams: list[tuple[float, tuple[int, ...], str]] = [(0.0, (), "")]
        finished: dict[str, float] = {}
        for depth in range(cfg.max_pieces + 1):
            nodes = self._expand(cache, [p for _, p, _ in beams])
            lp = np.stack([nd.logprobs for nd in nodes])  # (B, V)
            if depth > 0:
                can_end = [b for b, (_, _, text) in enumerate(beams) if text and len(text) >= len(want)]
                if can_end:
                    # log of the boundary mass after each path: the word ends here
                    end = np.log(np.maximum(np.exp(lp[can_end]) @ vocab.boundary_f, 1e-30))
                    for b, e in zip(can_end, end.tolist()):
                        logp, _, text = beams[b]
                        prev = finished.get(text)
                        score = logp + e
                        finished[text] = score if prev is None else float(np.logaddexp(prev, score))
            if depth == cfg.max_pieces:
                break
            floor = -np.inf
            if len(finished) >= n_words:
                floor = sorted(finished.values(), reverse=True)[n_words - 1]
            # Beams that may take the same next pieces are ranked together in one matrix.
            groups: dict[str, list[int]] = {}
            for b, (_, _, text) in enumerate(beams):
                groups.setdefault(want[len(text):], []).append(b)
            children: list[tuple[float, tuple[int, ...], str]] = []
            first = depth == 0 and needs_space
            for rest, rows in groups.items():
                ids = vocab.candidates(first, rest)
                if len(ids) == 0:
                    continue
                base = np.array([beams[b][0] for b in rows], np.float32)
                scores = lp[np.ix_(rows, ids)] + base[:, None]  # (rows, candidates)
                flat = scores.ravel()
                k = min(cfg.beam, flat.size)
                top = np.argpartition(-flat, k - 1)[:k] if flat.size > k else np.arange(flat.size)
                for f in top.tolist():
                    score = float(flat[f])
                    if score <= floor:
                        continue
                    r, c = divmod(f, len(ids))
                    _, path, text = beams[rows[r]]
                    t = int(ids[c])
                    children.append((score, path + (t,), text + vocab.text[t]))
            if not children:
                break
            children.sort(key=lambda c: -c[0])
            beams = children[: cfg.beam]
        return sorted(finished.items(), key=lambda kv: -kv[1])
