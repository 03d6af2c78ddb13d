"""The text rules, written once: what a word is, the word being typed, where a
sentence ends, how raw input is cleaned and how accepting a suggestion edits
the text. The engine, the user memory, the evaluation, the demo and the
training corpus all use these, so a "word" and a "sentence" mean the same
thing everywhere. The facts they read (letters, apostrophes, sentence enders,
abbreviations) are a language pack's (engine/lang/); the module-level names
are the English pack's, for code not yet told the bundle's language.
"""

from __future__ import annotations

import re

import enum
import numbers
import unicodedata
from typing import Callable

from .lang import DEFAULT, LanguagePack

# A word: letters/digits with inner apostrophes or hyphens ("don't", "well-known").
WORD = DEFAULT.word_re
# The word being typed at the end of the text: it may end in ' or - ("don'").
PARTIAL = DEFAULT.partial_re
# The rest of a word after the cursor (what an accepted suggestion also replaces).
WORD_REST = DEFAULT.word_rest_re
# Words that never end a hyphenated word (nor begin one): after "role-" the next part is not "the".
NOT_AT_HYPHEN_EDGE = DEFAULT.hyphen_stop_words
# Control characters are dropped; other whitespace-like controls act as spaces.
CONTROL = DEFAULT.control_re
# Typed right after an accepted word, these take its automatic space back (and, when
# unmatched quotes are open, a straight quote: takes_space).
CLOSING_PUNCT = frozenset(".,;:!?)]}%…”’")
# Quotes that close a quote only after their opener: German „…“ ‚…‘ »…«, French and Swiss «…»
# (closer -> opener; an English “ or ‘ opens, and so does a German »)
PAIRED_CLOSERS = {"“": "„", "‘": "‚", "«": "»", "»": "«"}


def is_word(text: str, pack: LanguagePack = DEFAULT) -> bool:
    return bool(text) and pack.word_re.fullmatch(text) is not None


def words(text: str, pack: LanguagePack = DEFAULT) -> list[str]:
    """The words of ``text``, in order: what the engine learns and the corpus counts."""
    return pack.word_re.findall(text)


# Top-level domains common enough that "name.TLD" alone reads as a web address (the
# generic ones of RFC 1591 and IANA's most registered country codes).
_TLDS = ("com|org|net|edu|gov|mil|int|io|co|uk|de|fr|nl|eu|ch|at|it|es|se|no|dk|fi|pl|ru|jp|cn|in|br|au|ca|us"
         "|info|biz|me|tv|app|dev|ai|ly|gg|xyz|online|site")
# A whitespace-delimited chunk that is an e-mail or web address (or the start of one), or a
# code joined by underscores ("sk_live_4eC3", "my_var"): its parts are not words to offer or
# to learn (language-independent: RFC 5322 / RFC 3986 shapes). Web addresses: a scheme
# ("https://"), "www.", a dotted host with a path ("example.org/a"), or a dotted host
# ending in a common top-level domain ("google.com"), with any punctuation after it.
ADDRESS = re.compile(r"\S*(?:\w@|://)\S*|[(\[\"'“‘<]*+(?:(?i:www\.)\S*"
                     r"|(?:[^\W_][\w-]*\.)+[^\W\d_]{2,24}/\S*"
                     rf"|(?:[^\W_][\w-]*\.)+(?i:{_TLDS})(?::\d+)?(?:/\S*)?[.,;:!?)\]\"'”’>]*"
                     r"|\S*[^\W_]_+[^\W_]\S*)")


SPACE = re.compile(r"\s")


def in_address(text_before_cursor: str) -> bool:
    """Whether the cursor is inside an e-mail or web address being typed
    ("someone@example.c", "https://exa", "www.exa", "example.org/pa", "google.com") or a
    code joined by underscores ("sk_live_4e")."""
    chunk = text_before_cursor[-200:].rsplit(None, 1)[-1] if text_before_cursor[-1:].strip() else ""
    return bool(chunk) and ADDRESS.fullmatch(chunk) is not None


def learnable_words(text: str, pack: LanguagePack = DEFAULT) -> list[tuple[int, str]]:
    """(start, word) of the words of ``text`` outside e-mail and web addresses: what the
    user memory learns (an address is never learned, nor its parts). Use ``learned_form``
    for what is stored ("im" is learned as "I'm")."""
    out = []
    for chunk in re.finditer(r"\S+", text):
        if ADDRESS.fullmatch(chunk.group(0)) is None:
            out += [(chunk.start() + m.start(), m.group(0)) for m in pack.word_re.finditer(chunk.group(0))]
    return out


# Letters and digits together that are ordinary words whatever a lexicon says: ordinals and
# decades ("2nd", "21st", "1990s"). Any other letter-digit mix is learned only when common.
_ORDINAL = re.compile(r"\d{1,4}(?:st|nd|rd|th|s)", re.IGNORECASE)
MAX_LEARNED_CHARS = 32  # a longer "word" is a hash, a token or a paste


def learnable(word: str, is_common: Callable[[str], bool] | None = None) -> bool:
    """Whether the user memory may store (and offer) ``word``: the secrets rule.

    Never: a word without a letter (numbers, PINs, card, phone and account numbers);
    a word longer than MAX_LEARNED_CHARS characters; a mix of letters and digits
    ("hunter2xk9", "a8f3c9e1", "ZX81QW") unless it is an ordinal or a decade ("2nd",
    "1990s") or ``is_common(word)`` says it is a common word (the memory passes the
    language pack's list of common letter-digit words, made from wordfreq's frequencies
    by export/alnum.py: "mp3", "4G", "5pm", "PS4" are learnable, "hunter2" is not). Addresses are excluded
    before this (learnable_words). A letters-only password ("correcthorse") cannot be
    told from a new word by its shape: a field the app marks private learns nothing
    (``learn=False``)."""
    if len(word) > MAX_LEARNED_CHARS or not any(ch.isalpha() for ch in word):
        return False
    if not any(ch.isdigit() for ch in word):
        return True
    if _ORDINAL.fullmatch(word):
        return True
    return is_common is not None and is_common(word)


def learned_form(word: str, pack: LanguagePack = DEFAULT) -> str:
    """What the user memory learns for a committed ``word``: a contraction typed without
    its apostrophe as the contraction ("im" -> "I'm", "Dont" -> "Don't"), when the bare
    spelling is no word of its own; any other word as typed."""
    found = pack.contraction_of.get(pack.fold(word)) if word.isalpha() else None
    if not found or pack.fold(word) not in pack.misspellings:
        return word
    c = pack.fixed_case(found[0])
    return c[:1].upper() + c[1:] if word[:1].isupper() and not word.isupper() else c


def last_word(text: str, pack: LanguagePack = DEFAULT) -> str | None:
    """The last whole word of ``text`` (looking at its tail only), or None."""
    found = pack.word_re.findall(text[-64:])
    return found[-1] if found else None


def partial_word(text_before_cursor: str, pack: LanguagePack = DEFAULT) -> str:
    """The word being typed, which a completion replaces ('' after a space or
    punctuation): PARTIAL's match, found from the end (the regex would try every
    start position of the tail)."""
    tail = text_before_cursor[-200:]
    inner = "_" + pack.apostrophes + pack.hyphens
    i = len(tail)
    while i and (tail[i - 1].isalnum() or tail[i - 1] in inner):  # [\w'’\-]
        i -= 1
    while i < len(tail) and not tail[i].isalnum():  # [^\W_]
        i += 1
    return tail[i:]


def clean(text: str, pack: LanguagePack = DEFAULT) -> str:
    """NFC, no control characters; lone surrogates (a bad paste) become U+FFFD."""
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")
    return unicodedata.normalize("NFC", pack.control_re.sub("", text))


# ---------------------------------------------------------------- sentences
#
# The one sentence rule (engine/lang/__init__.py states it), used by the training
# corpus (split_sentences) and the engine (sentence_start, ends_sentence) alike.


class End(enum.Enum):
    """What the end of a chunk (a run of non-space characters) says about the sentence."""

    NONE = "none"  # no sentence ender ("word", "word,", "3.5")
    NEVER = "never"  # an abbreviation or initial: the sentence goes on ("Dr.", "U.S.")
    SOFT = "soft"  # ends it only before a capital ("etc.", "p.m.", "wait...")
    PLAIN = "plain"  # ends it (before a capital or digit, when the pack requires one)


def sentence_end(chunk: str, pack: LanguagePack = DEFAULT, before: str = "") -> End:
    """The kind of sentence end ``chunk`` has (the pack's enders, closing quotes,
    abbreviations and ellipses; an abbreviation is written without its last period).
    ``before``: the text before the chunk (its last few chunks are enough), read only
    for an abbreviation of several parts ("d. h.": "h." after "d."; packs without
    such abbreviations, English, never read it)."""
    core = chunk.rstrip(pack.closing_quotes)
    if not core or core[-1] not in pack.sentence_enders:
        return End.NONE
    if core.endswith(pack.ellipses):
        return End.SOFT
    if core[-1] != ".":
        return End.PLAIN
    last = len(core) - 1  # the word before the period: letters, digits and inner periods ("U.S", "a.m")
    start = last
    while start and (core[start - 1].isalnum() or core[start - 1] == "."):
        start -= 1
    word = core[start:last]
    if not word or (start and core[start - 1] in pack.apostrophes + pack.hyphens):  # "don't."
        return End.PLAIN
    if pack.multi_part and not core[:start].strip(pack.opening_quotes):
        found = _abbreviation_parts(word, len(core) == len(chunk), before, pack)
        if found is not None:
            return found
    letters = word.split(".")
    single = all(len(p) == 1 and p.isalpha() for p in letters)
    if len(core) == len(chunk) and (word in pack.abbreviations or (single and word.isupper())):
        return End.NEVER  # with its own period last, as the corpus always had it ("Dr.", "F.", "U.S.")
    if word in pack.soft_abbreviations or (single and len(letters) > 1 and word.islower()):
        return End.SOFT
    return End.PLAIN


def _abbreviation_parts(word: str, own_period: bool, before: str, pack: LanguagePack) -> End | None:
    """The end a pack with multi-part abbreviations or ordinals gives ``word`` (the chunk's
    word before its last period, ``own_period``: nothing follows that period), or None
    when the general rule decides: a listed abbreviation written as one chunk ("z.B",
    "usw"), the last part of one after its leading parts ("h" after "d."), a leading part
    ("z"), an ordinal ("3", a date "3.10")."""
    soft = pack.joined_abbreviations.get(word)
    if soft is None:
        for parts, is_soft in pack.multi_part.get(word, ()):
            tail = before.split()[-len(parts):]
            if len(tail) == len(parts) and all(
                    t.lstrip(pack.opening_quotes) == p + "." if i == 0 else t == p + "."
                    for i, (t, p) in enumerate(zip(tail, parts))):
                soft = is_soft
                break
    if soft is not None:
        return End.SOFT if soft else End.NEVER if own_period else None
    if own_period and (word in pack.leading_parts or (
            pack.ordinal_digits and all(p.isdigit() and len(p) <= pack.ordinal_digits for p in word.split(".")))):
        return End.NEVER
    return None


def leads_abbreviation(chunk: str, pack: LanguagePack = DEFAULT) -> bool:
    """Whether ``chunk`` is a leading part of a multi-part abbreviation ("z." of "z. B.",
    perhaps after an opening bracket): the tracker keeps it in one unit with the next part."""
    return bool(pack.leading_parts) and chunk.endswith(".") \
        and chunk[:-1].lstrip(pack.opening_quotes) in pack.leading_parts


def is_break(chunk: str, following: str | None, pack: LanguagePack = DEFAULT, before: str = "") -> bool:
    """Whether a sentence ends between ``chunk`` and the chunk ``following`` it
    (whitespace between them); ``following`` None: not known yet (the end of the
    text, or a word still being typed). ``before``: as for sentence_end."""
    end = sentence_end(chunk, pack, before)
    if end is End.NONE or end is End.NEVER:
        return False
    if following is None:
        return end is End.PLAIN
    first = following.lstrip(pack.opening_quotes)[:1]
    if end is End.SOFT:
        return first.isupper()
    return not pack.capital_after_end or first.isupper() or first.isdigit()


def ends_sentence(unit: str, pack: LanguagePack = DEFAULT, before: str = "") -> bool:
    """Whether a sentence ends after ``unit`` (one or more chunks) when what follows
    is not known yet: its last chunk is a plain sentence end (read after the unit's
    other chunks, and ``before`` them: a multi-part abbreviation's leading parts)."""
    cut = unit.rfind(" ")
    return sentence_end(unit[cut + 1:], pack, f"{before} {unit[:cut]}" if cut >= 0 else before) is End.PLAIN


def sentence_gaps(text: str, pack: LanguagePack = DEFAULT, typing: bool = True,
                  from_last_break: bool = False) -> list[tuple[int, int, str, bool]]:
    """Every place in ``text`` where a sentence may end, in order: (where the whitespace
    after a chunk closed by a sentence ender begins, where it ends, that chunk, whether
    a sentence ends there), and (the position of a line break, the position after it,
    '', True). ``typing``: the text is being typed, so its last chunk is not known yet
    (unless whitespace follows it), and the end of the text after whitespace is a break
    when the rule says so; otherwise the text is finished. ``from_last_break``: only
    the last break and the places after it (what the tracker needs; the rule is
    applied to these alone, so the cost does not grow with the sentences before)."""
    n, out = len(text), []
    found = pack.sentence_gap_re.finditer(text)
    for m in (reversed(list(found)) if from_last_break else found):
        gap = m.group(1)
        if gap is None or "\n" in gap:  # a line break
            a = m.start() if gap is None else m.start(1)
            out.append((a, m.end(), _chunk_before(text, a) if a and not text[a - 1].isspace() else "", True))
        else:
            a, b = m.span(1)
            following = _chunk_after(text, b)
            if not following and not typing:
                continue  # trailing whitespace of a finished text: nothing follows
            chunk = _chunk_before(text, a)
            known = following if not typing or b + len(following) < n else None
            before = text[max(0, a - len(chunk) - 32):a - len(chunk)] if pack.multi_part else ""
            out.append((a, b, chunk, is_break(chunk, known, pack, before)))
        if from_last_break and out[-1][3]:
            break
    return out[::-1] if from_last_break else out


def _chunk_before(text: str, end: int) -> str:
    """The run of non-space characters ending at ``end`` (text[end - 1] is not a space)."""
    span = 32
    while True:
        lo = max(0, end - span)
        found = text[lo:end].rsplit(None, 1)
        if len(found) == 2 or lo == 0 or text[lo].isspace():
            return found[-1] if found else ""
        span *= 4


def _chunk_after(text: str, start: int) -> str:
    """The run of non-space characters starting at ``start`` ('' at a space or the end)."""
    span = 32
    while True:
        part = text[start:start + span]
        if not part or part[0].isspace():
            return ""
        found = part.split(None, 1)[0]
        if len(found) < len(part) or start + span >= len(text):
            return found
        span *= 4


def sentence_breaks(text: str, pack: LanguagePack = DEFAULT, typing: bool = True) -> list[tuple[int, int]]:
    """(where a sentence ends, where the next begins) for every break in ``text``, in
    order (``typing`` as for sentence_gaps)."""
    return [(a, b) for a, b, _, broke in sentence_gaps(text, pack, typing) if broke]


def split_sentences(text: str, pack: LanguagePack = DEFAULT) -> list[str]:
    """The sentences of a finished text, stripped, in order (the training corpus's split)."""
    out, begin = [], 0
    for end, nxt in sentence_breaks(text, pack, typing=False):
        out.append(text[begin:end].strip())
        begin = nxt
    out.append(text[begin:].strip())
    return [s for s in out if s]


def sentence_start(text: str, pack: LanguagePack = DEFAULT) -> int:
    """Where the sentence being typed begins in ``text`` (len(text) when the text ends
    with a sentence end and whitespace, so the next word starts a sentence). A break
    that depends on the chunk still being typed is decided as at the end of the text."""
    gaps = sentence_gaps(text, pack, from_last_break=True)
    return gaps[0][1] if gaps and gaps[0][3] else 0


def accept(before: str, word: str) -> str:
    """The text before the cursor after accepting ``word``: the word being typed
    is replaced, a space separates it from a previous word or symbol, and one
    space follows it."""
    typed = partial_word(before)
    base = before[: len(before) - len(typed)]
    if base and not base[-1].isspace() and not typed and not _joins(base[-1]):
        base += " "
    return base + word + " "


def takes_space(before: str, chars: str) -> bool:
    """Whether ``chars``, typed right after an accept left ``before`` ending in its
    automatic space, takes that space back ("tomorrow " + "." -> "tomorrow."): closing
    punctuation and brackets (CLOSING_PUNCT), a paired quote (German “ after „, « after »,
    » after «: PAIRED_CLOSERS) whose opener is still open in the paragraph, and a straight
    quote (" or ') that closes one opened earlier in the paragraph (an odd count of them before; a ' between two
    letters is an apostrophe and is not counted). One rule for the Session and the demo."""
    ch = chars[:1]
    if not ch or not before.endswith(" "):
        return False
    if ch in CLOSING_PUNCT:
        return True
    para = before[before.rfind("\n") + 1:]
    if ch in PAIRED_CLOSERS:
        return para.count(PAIRED_CLOSERS[ch]) > para.count(ch)
    if ch not in "\"'":
        return False
    if ch == '"':
        return para.count('"') % 2 == 1
    quotes = sum(1 for i, c in enumerate(para) if c == "'" and not (0 < i < len(para) - 1
                                                                   and para[i - 1].isalpha() and para[i + 1].isalpha()))
    return quotes % 2 == 1


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
    """``n`` as an int in 0..limit (any integer type, numpy's too; not bool). Raises TypeError
    for what is not an integer, ValueError for one outside the range."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"n must be an int, got {type(n).__name__} ({n!r})")
    n = int(n)
    if not 0 <= n <= limit:
        raise ValueError(f"n must be between 0 and {limit}, got {n}")
    return n
