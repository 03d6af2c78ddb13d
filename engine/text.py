"""The text rules, written once: what a word is, the word being typed, where a
sentence ends, how raw input is cleaned and how accepting a suggestion edits
the text. The engine, the user memory, the evaluation and the demo all use
these, so a "word" means the same thing everywhere.
"""

from __future__ import annotations

import re
import unicodedata

# A word: letters/digits with inner apostrophes or hyphens ("don't", "well-known").
WORD = re.compile(r"[^\W_]+(?:['’\-][^\W_]+)*")
# The word being typed at the end of the text: it may end in ' or - ("don'").
PARTIAL = re.compile(r"[^\W_][\w'’\-]*\Z")  # \Z: $ would also match before a final line break
# The rest of a word after the cursor (what an accepted suggestion also replaces).
WORD_REST = re.compile(r"[\w'’\-]*")
# A chunk that closes a sentence ("end.", "why?\"", "so…").
_SENTENCE_END = r"[.!?…][\"')\]”’]*"
ENDS_SENTENCE = re.compile(_SENTENCE_END + "$")
# Where the next sentence starts in running text: after such a chunk and the
# whitespace that follows it, or after a line break.
SENTENCE_BREAK = re.compile(_SENTENCE_END + r"\s|\n")
# Text whose next word starts a sentence: empty, or after a sentence end.
AT_SENTENCE_START = re.compile(r"(^|[.!?…]['\")\]”’]*)\s*$")
# Words that never end a hyphenated word (nor begin one): after "role-" the next
# part is not "the" or "and" (training text that types a dash as a hyphen,
# "the people-the source", teaches the model otherwise).
NOT_AT_HYPHEN_EDGE = frozenset("the a an and or but nor of that which who whom this these those it its "
                               "they them he him she her we us you i is was".split())
# Control characters are dropped; other whitespace-like controls act as spaces.
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\ufeff]")
# Typed right after an accepted word, these take its automatic space back.
CLOSING_PUNCT = frozenset(".,;:!?)]}%…")


def is_word(text: str) -> bool:
    return bool(text) and WORD.fullmatch(text) is not None


def words(text: str) -> list[str]:
    return WORD.findall(text)


def last_word(text: str) -> str | None:
    """The last whole word of ``text`` (looking at its tail only), or None."""
    found = WORD.findall(text[-64:])
    return found[-1] if found else None


def partial_word(text_before_cursor: str) -> str:
    """The word being typed, which a completion replaces ('' after a space or
    punctuation): PARTIAL's match, found from the end (the regex would try every
    start position of the tail)."""
    tail = text_before_cursor[-200:]
    i = len(tail)
    while i and (tail[i - 1].isalnum() or tail[i - 1] in "_'’-"):  # [\w'’\-]
        i -= 1
    while i < len(tail) and not tail[i].isalnum():  # [^\W_]
        i += 1
    return tail[i:]


def clean(text: str) -> str:
    """NFC, no control characters; lone surrogates (a bad paste) become U+FFFD."""
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
    return unicodedata.normalize("NFC", CONTROL.sub("", text))


def accept(before: str, word: str) -> str:
    """The text before the cursor after accepting ``word``: the word being typed
    is replaced, a space separates it from a previous word or symbol, and one
    space follows it."""
    typed = partial_word(before)
    base = before[: len(before) - len(typed)]
    if base and not base[-1].isspace() and not typed and not _joins(base[-1]):
        base += " "
    return base + word + " "


def _joins(ch: str) -> bool:
    """Whether a word typed right after ``ch`` continues the same chunk ("(wor", "\"wor")."""
    return ch in "([{\"'“‘-/@#"


# ---------------------------------------------------------------- API input

MAX_SUGGESTIONS = 100  # a strip never holds more; a larger n is a caller's bug


def check_text(text) -> str:
    if isinstance(text, str):
        return text
    raise TypeError(f"text must be str, got {type(text).__name__}"
                    + (" (decode bytes first, e.g. data.decode('utf-8'))" if isinstance(text, (bytes, bytearray)) else ""))


def check_n(n, limit: int = MAX_SUGGESTIONS) -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise TypeError(f"n must be an int, got {type(n).__name__} ({n!r})")
    if not 0 <= n <= limit:
        raise ValueError(f"n must be between 0 and {limit}, got {n}")
    return n
