"""What was computed below one committed model state (the Position), shared by the
session, the pipeline and the sources: the decoder's node cache, the model source's
searches and the answers shown."""

from __future__ import annotations

from .decoder import NodeCache
from .state import Snapshot


class Position:
    """What was computed below one committed state; dropped when the state changes.

    ``nodes``: the decoder's expanded paths (NodeCache, bounded); ``searches``: the
    model source's results by (folded prefix, needs_space, words wanted);
    ``answers``: the strips shown, by (stem, partial, needs_space, sentence_start,
    n, apostrophe), for the memory version ``version`` only: any change to the
    memory or blocklist empties them. Both dicts are bounded (``MAX_SEARCHES``,
    ``MAX_ANSWERS`` entries; emptied when full): the position of the sentence
    start lives as long as the session."""

    MAX_SEARCHES = 1024  # a search holds at most a few dozen (word, score) pairs
    MAX_ANSWERS = 1024

    def __init__(self, top: Snapshot):
        self.top = top
        self.nodes = NodeCache(top.node)
        self.searches: dict[tuple[str, bool, int], list[tuple[str, float]]] = {}
        self.answers: dict[tuple, list] = {}  # key -> [pipeline.Suggestion]
        self.version = -1  # the memory version the answers were computed for

    def answers_for(self, version: int) -> dict:
        if version != self.version or len(self.answers) >= self.MAX_ANSWERS:
            self.answers, self.version = {}, version
        return self.answers

    def bound(self) -> None:
        if len(self.searches) >= self.MAX_SEARCHES:
            self.searches = {}
