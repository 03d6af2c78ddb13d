"""The hidden state after each committed unit of text: a stack of snapshots.

Snapshot 0 is the state after the start-of-text token; snapshot i+1 is the
state after unit i. Syncing to a new list of units keeps the longest shared
prefix and feeds only the rest, so typing inside a word feeds nothing,
committing a word feeds that word's pieces, and backspacing into an earlier
word pops snapshots instead of recomputing.

Inside a sentence longer than the context window, the window moves every
block of characters and the units it holds start elsewhere, which would mean
feeding the whole new window in one keystroke. A second stack (``ahead``) is
fed the units the next window will start with, a few steps per keystroke
(``feed_ahead``), and ``sync`` takes it over when the window moves: the same
units fed from the same start, so the same states, without the jump in cost.

Feeding unit by unit gives the same tokens as encoding the whole window at
once: units are whitespace chunks and SentencePiece segments each chunk on its
own (tests/test_engine.py checks this).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .runner import StepRunner
from .lang import DEFAULT, LanguagePack
from .text import ends_sentence

MAX_UNIT_PIECES = 24  # a pasted 400-character "word" costs at most this many steps


@dataclass(frozen=True)
class Node:
    """The model after some tokens: the next-piece distribution and the state."""

    logprobs: np.ndarray  # (V,)
    state: np.ndarray  # (S,)


@dataclass(frozen=True)
class Snapshot:
    unit: str  # the chunk of text fed to reach this state ('' for the start)
    node: Node
    # natural-log probability of every token fed since the start (the text's score under the
    # model: an engine typing in two languages compares these, engine/multi.py)
    logprob: float = 0.0


def unit_tokens(encode: Callable[[str], list[int]], unit: str, eos_id: int,
                pack: LanguagePack = DEFAULT) -> list[int]:
    """The tokens one unit feeds. Training text has one sentence per line, each
    closed by </s>: a unit that ends a sentence by the language's rule (its last
    chunk a plain sentence end: "Stop." but not "Dr." or "etc.") is followed by </s>
    here too, so the next sentence starts from the state the model knows. The
    tracker (tracker.py) joins a sentence end that the next word continues to
    that word ("late. he"), so this sees only ends the rule keeps."""
    ids = encode(unit)[-MAX_UNIT_PIECES:]
    if ends_sentence(unit, pack):
        ids.append(eos_id)
    return ids


class StateStack:
    def __init__(self, runner: StepRunner, encode: Callable[[str], list[int]], start_id: int, eos_id: int,
                 pack: LanguagePack = DEFAULT):
        """``pack``: the bundle's language (which units end a sentence)."""
        self.runner, self.encode, self.eos_id, self.pack = runner, encode, eos_id, pack
        zero = np.zeros((1, runner.state_size), np.float32)
        lp, st = runner.step(np.array([start_id], np.int32), zero)
        self.snapshots = [Snapshot("", Node(lp[0].copy(), st[0].copy()))]
        self.ahead = self.snapshots[:1]  # a second stack, fed beforehand with the units a moving window will hold
        self.steps_run = 0  # context steps fed, for tests and benchmarks

    @property
    def units(self) -> list[str]:
        return [s.unit for s in self.snapshots[1:]]

    @property
    def top(self) -> Snapshot:
        return self.snapshots[-1]

    def sync(self, units: tuple[str, ...], searched: tuple[Snapshot, Callable] | None = None) -> Snapshot:
        """Make the stack hold exactly ``units``; returns the top snapshot.

        ``searched``: (a snapshot, a lookup path -> Node of the word search run
        from it). A unit committed on top of that snapshot starts from the
        deepest node the search already computed for its pieces (the word just
        typed was usually expanded while it was being completed), so a word
        boundary feeds only what the search did not: the same steps on the same
        inputs, so the same state as feeding it whole."""
        common = _shared(self.snapshots, units)
        if len(self.ahead) > 1 and _shared(self.ahead, units) > common:  # the window moved: the units were fed ahead
            self.snapshots, self.ahead = self.ahead, self.snapshots[:1]
            common = _shared(self.snapshots, units)
        have = self.snapshots
        del have[common + 1:]
        for unit in units[common:]:
            lookup = searched[1] if searched is not None and have[-1] is searched[0] else None
            have.append(self._feed(have[-1], unit, lookup))
        return have[-1]

    def feed_ahead(self, units: tuple[str, ...], budget: int) -> None:
        """Feed the second stack towards ``units`` (whole units, until ``budget`` steps are
        spent); ``()`` empties it. ``sync`` takes it over when it holds more of its units."""
        have = self.ahead
        del have[_shared(have, units) + 1:]
        before = self.steps_run
        for unit in units[len(have) - 1:]:
            if self.steps_run - before >= budget:
                break
            have.append(self._feed(have[-1], unit))

    def score_units(self, units: list[str]) -> float:
        """The natural-log probability of ``units`` fed from the start (a whole sentence: its
        last unit's sentence end feeds </s> too), without touching the stack."""
        snap = self.snapshots[0]
        for unit in units:
            snap = self._feed(snap, unit)
        return snap.logprob

    def _feed(self, parent: Snapshot, unit: str, lookup: Callable | None = None) -> Snapshot:
        """The snapshot after ``unit`` fed on top of ``parent``."""
        ids = unit_tokens(self.encode, unit, self.eos_id, self.pack)
        node, done, score = parent.node, 0, parent.logprob
        if lookup is not None:
            while done < len(ids) and (found := lookup(tuple(ids[: done + 1]))) is not None:
                score += float(node.logprobs[ids[done]])
                node, done = found, done + 1
        lp, st = node.logprobs, node.state[None, :]
        for t in ids[done:]:
            score += float(lp[t])
            lps, st = self.runner.step(np.array([t], np.int32), st)
            lp = lps[0]
            self.steps_run += 1
        return Snapshot(unit, Node(lp.copy(), st[0].copy()) if done < len(ids) else node, score)


def _shared(snapshots: list[Snapshot], units: tuple[str, ...]) -> int:
    """How many of ``units`` the stack already holds, from the start."""
    common = 0
    while common < len(units) and common + 1 < len(snapshots) and snapshots[common + 1].unit == units[common]:
        common += 1
    return common
