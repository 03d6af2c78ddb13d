"""The hidden state after each committed word: a stack of snapshots.

Snapshot 0 is the state after the start-of-text token; snapshot i+1 is the
state after unit i. Syncing to a new list of units keeps the longest shared
prefix and feeds only the rest, so typing inside a word feeds nothing,
committing a word feeds that word's pieces, and backspacing into an earlier
word pops snapshots instead of recomputing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from .decoder import Node, NodeCache
from .runner import StepRunner

MAX_UNIT_PIECES = 24  # a pasted 400-character "word" costs at most this many steps
# Training text has one sentence per line, each closed by </s>: a unit that
# ends a sentence is followed by </s> here too, so the next sentence starts
# from the state the model knows.
_ENDS_SENTENCE = re.compile(r"[.!?…][\"')\]”’]*$")


@dataclass
class Snapshot:
    unit: str
    node: Node
    cache: NodeCache | None = None  # word-search paths below this state (top snapshot only)
    results: dict = field(default_factory=dict)  # memoized word lists by query

    def nodes(self) -> NodeCache:
        if self.cache is None:
            self.cache = NodeCache(self.node)
        return self.cache

    def forget(self) -> None:
        self.cache = None
        self.results = {}


class StateStack:
    def __init__(self, runner: StepRunner, encode, start_id: int, state_size: int):
        self.runner, self.encode, self.eos_id = runner, encode, start_id
        zero = np.zeros((1, state_size), np.float32)
        lp, st = runner.step(np.array([start_id], np.int32), zero)
        self.snapshots = [Snapshot("", Node(lp[0].copy(), st[0].copy()))]
        self.steps_run = 0  # context steps fed, for tests and benchmarks

    @property
    def units(self) -> list[str]:
        return [s.unit for s in self.snapshots[1:]]

    def sync(self, units: tuple[str, ...]) -> Snapshot:
        have = self.snapshots
        common = 0
        while common < len(units) and common + 1 < len(have) and have[common + 1].unit == units[common]:
            common += 1
        if common + 1 < len(have):
            del have[common + 1:]
        for unit in units[common:]:
            have[-1].forget()
            have.append(Snapshot(unit, self._feed(have[-1].node, unit)))
        return have[-1]

    def _feed(self, node: Node, unit: str) -> Node:
        ids = self.encode(unit)[-MAX_UNIT_PIECES:]
        if _ENDS_SENTENCE.search(unit):
            ids.append(self.eos_id)
        lp, st = node.logprobs, node.state[None, :]
        for t in ids:
            lp, st = self.runner.step(np.array([t], np.int32), st)
            lp = lp[0]
            self.steps_run += 1
        return Node(lp.copy(), st[0].copy())
