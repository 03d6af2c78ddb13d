"""Real typing, by kind of fault: how often the wanted form is offered on text built for it.

Each kind takes real sentences (the test split, or any sentence file) and
builds the typing that exercises one rule, then counts how often the engine
does what a user wants there (3 suggestions unless told):

- ``contractions``: contractions with the apostrophe left out, as on phones
  ("I dont know"); the bare word typed in full; wanted: the contraction, with
  the typed capital, in the strip.
- ``periods``: a period that does not end a sentence (an abbreviation, an
  initial, "etc.", an ellipsis) followed by a lowercase word; the first letter
  of that word typed; wanted: the word offered as written (not capitalized).
- ``addresses``: an e-mail or web address put into a sentence ("... see
  https://example.org/a-b ..."); wanted: an empty strip at every keystroke inside
  the address once it shows it is one ("bob@", "https://", "www."), and the word after it offered (next-word top-n) as often as in the
  same sentence without the address (``after_ratio``).
- ``punctuation``: a word followed by . , ; : ! ? or a closing bracket; the
  word accepted from the strip (Session.accept), then the mark typed; wanted:
  the text reads as written (no space before the mark).
- ``digits``: one letter of a word (not the first) typed as a digit of the
  number row next to it ("hell0"); the word typed in full; wanted: the word
  offered. ``numbers``: every keystroke inside a number or code of the text
  ("555", "10:30", "3.5"); wanted: no word offered.
- ``blocked``: frequent lexicon words blocked one by one; wanted: none of their
  inflected or possessive forms offered at any prefix of the form (only forms
  offered before the block count).
- ``compounds``: every word offered while typing the text; wanted: none outside
  the lexicon, the user's words and attested compounds (``outside_share``).

Every kind uses only Engine.load, Engine.session, Session.set_text / type /
accept / suggest and UserMemory.block, so an older engine can be measured with
the same code and the same rules: ``--engine-module`` imports ``Engine`` from
another package (an older checkout's engine/ linked under another name):

    python -m nextkey.evaluate.kinds --text data/corpus/test.txt --out kinds.json
    git worktree add /tmp/before 85565f5 && mkdir -p /tmp/bp && ln -s /tmp/before/engine /tmp/bp/nkold_engine
    PYTHONPATH=/tmp/bp python -m nextkey.evaluate.kinds --engine-module nkold_engine ... --out before.json
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path
from typing import Callable

from nextkey.engine.lang import DEFAULT, LanguagePack

from .stats import read_sentences

KINDS = ("contractions", "periods", "addresses", "punctuation", "digits", "numbers", "blocked", "compounds")
_NUMBER_ROW = "1234567890"
_TOP_ROW = "qwertyuiop"  # the digit above-left and above-right of each top-row letter


def _rate(hits: int, cases: int, **extra) -> dict:
    return {"cases": cases, "wanted": hits, "rate": round(hits / cases, 4) if cases else None, **extra}


def _ask(sess, n: int) -> list:
    """The session's strip (``Session.suggest``; v0.2 called it ``suggestions``)."""
    return (getattr(sess, "suggest", None) or sess.suggestions)(n)


def _strip(sess, text: str, n: int) -> list[str]:
    sess.set_text(text)
    return [s.word for s in _ask(sess, n)]


def contractions(sess, sentences: list[str], n: int, pack: LanguagePack = DEFAULT, limit: int = 400) -> dict:
    """The test text with apostrophes left out of contractions; the bare word typed in full."""
    bare_of = {c: pack.bare(c) for c in pack.contractions}
    hits = cases = 0
    by_word: dict[str, list[int]] = {}
    for s in sentences:
        for m in pack.word_re.finditer(s):
            word = m.group(0)
            if pack.fold(word) not in bare_of or cases >= limit:
                continue
            typed_text = _drop_apostrophes(s[: m.start()], pack) + pack.bare(word)
            strip = _strip(sess, typed_text, n)
            ok = any(pack.fold(w) == pack.fold(word) and w[:1] == pack.fixed_case(word)[:1] for w in strip)
            hits, cases = hits + ok, cases + 1
            by_word.setdefault(pack.fold(word), [0, 0])[ok] += 1
    worst = sorted(by_word.items(), key=lambda kv: -kv[1][0])[:8]
    return _rate(hits, cases, missed_most={w: c[0] for w, c in worst if c[0]})


def _drop_apostrophes(text: str, pack: LanguagePack) -> str:
    return pack.word_re.sub(lambda m: pack.bare(m.group(0)) if pack.fold(m.group(0)) in pack.contractions
                            else m.group(0), text)


_NOT_ENDS = (" etc.", " e.g.", " i.e.", " vs.", " approx.", " p.m.", "...", " U.S.", " Dr.", " Fig.")


def periods(sess, sentences: list[str], n: int, pack: LanguagePack = DEFAULT, built: int = 300) -> dict:
    """After a period that does not end the sentence, the next word as written: every
    such place in the text, and ``built`` more made by putting one of _NOT_ENDS (the
    pack's abbreviations, initials, soft ends, an ellipsis) after a sentence's third
    word when its fourth is lowercase ("We went to etc. the ...")."""
    from nextkey.engine.text import End, sentence_end  # the rule measured (both engines have it after v0.2)
    cases: list[tuple[str, str]] = []  # (text up to the next word, the next word)
    for s in sentences:
        for m in re.finditer(r"(\S+) ([a-z][a-z']+)", s):
            if m.group(1).endswith((".", "…")) and sentence_end(m.group(1), pack) in (End.NEVER, End.SOFT):
                cases.append((s[: m.start(2)], m.group(2)))
    natural = len(cases)
    for i, s in enumerate(sentences):
        spans = list(re.finditer(r"\S+", s))
        if len(cases) - natural >= built or len(spans) < 5 or not re.fullmatch(r"[a-z]+", spans[3].group(0)) \
                or not spans[2].group(0).isalpha():
            continue
        cases.append((s[: spans[2].end()] + _NOT_ENDS[i % len(_NOT_ENDS)] + " ", spans[3].group(0)))
    hits = capitalized = 0
    for head, word in cases:
        strip = _strip(sess, head + word[0], n)
        hits += word in strip
        capitalized += bool(strip) and strip[0][:1].isupper() and not strip[0].startswith("I")
    return _rate(hits, len(cases), natural=natural, capitalized_first=capitalized)


def make_address(rng: random.Random) -> str:
    """An e-mail or web address of one of the usual shapes (RFC 5322 local parts with dots,
    plus and digits; RFC 3986 URLs with paths, queries and ports; bare www. hosts)."""
    name = rng.choice(["bob", "a.smith", "jane_doe", "support", "j.r.r+list", "info2024", "m-k"])
    host = rng.choice(["example.com", "mail.example.org", "uni-berlin.de", "example.co.uk", "x.io"])
    shape = rng.randrange(5)
    if shape == 0:
        return f"{name}@{host}"
    if shape == 1:
        return f"https://{host}/docs/{rng.choice(['setup', 'a-b', 'faq.html', 'v2/api'])}"
    if shape == 2:
        return f"http://{host}:8080/?q={rng.choice(['tea', 'a+b', '42'])}"
    if shape == 3:
        return f"www.{host}"
    return f"ftp://{host}/pub/file.txt"


def addresses(sess, sentences: list[str], n: int, pack: LanguagePack = DEFAULT, seed: int = 0) -> dict:
    """An address put after a sentence's third word; keystrokes inside it, and the word after."""
    rng = random.Random(seed)
    inside = empty = after_hits = plain_hits = cases = 0
    for s in sentences:
        spans = list(re.finditer(r"\S+", s))
        if len(spans) < 5 or not pack.word_re.fullmatch(spans[3].group(0)):
            continue
        cut = spans[2].end()
        head, address, nxt = s[:cut] + " ", make_address(rng), spans[3].group(0)
        # From the keystroke that shows it is an address ("bob@", "https://", "www."): before
        # it, "bob" or "www" is a word like any other.
        shown = min(i + len(mark) for mark in ("@", "://", "www.") if (i := address.find(mark)) >= 0)
        for k in range(shown, len(address) + 1):
            inside += 1
            empty += not _strip(sess, head + address[:k], n)
        after_hits += nxt in _strip(sess, head + address + " ", n)
        plain_hits += nxt in _strip(sess, head, n)
        cases += 1
    return {"cases": cases, "inside_keystrokes": inside, "inside_empty": empty,
            "rate": round(empty / inside, 4) if inside else None,
            "after_top_n": round(after_hits / cases, 4) if cases else None,
            "without_address_top_n": round(plain_hits / cases, 4) if cases else None,
            "after_ratio": round(after_hits / plain_hits, 4) if plain_hits else None}


def punctuation(sess, sentences: list[str], n: int, pack: LanguagePack = DEFAULT) -> dict:
    """Accept the word before a mark from the strip (or as typed), then type the mark."""
    hits = cases = 0
    for s in sentences:
        for m in re.finditer(r"(?<![\w'’-])([^\W\d_]{3,})([.,;:!?)\]])", s):
            word, mark = m.group(1), m.group(2)
            sess.set_text(s[: m.start(1) + 2])
            offered = [x for x in _ask(sess, n) if x.word == word]
            sess.accept(offered[0] if offered else word)
            sess.type(mark)
            hits += sess.text == s[: m.end()]
            cases += 1
    return _rate(hits, cases)


def digit_slip(word: str, rng: random.Random) -> str | None:
    """``word`` with one top-row letter (not the first) typed as a number-row key beside it."""
    spots = [i for i in range(1, len(word)) if word[i].lower() in _TOP_ROW]
    if not spots:
        return None
    i = rng.choice(spots)
    col = _TOP_ROW.index(word[i].lower())
    digit = _NUMBER_ROW[min(col + rng.randrange(2), 9)]  # the row sits half a key left: above-left or above-right
    return word[:i] + digit + word[i + 1:]


def digits(sess, sentences: list[str], n: int, pack: LanguagePack = DEFAULT, seed: int = 0, limit: int = 300) -> dict:
    rng = random.Random(seed)
    hits = cases = 0
    for s in sentences:
        for m in re.finditer(r"\b[a-z]{4,}\b", s):
            slipped = digit_slip(m.group(0), rng)
            if slipped is None or cases >= limit:
                continue
            hits += m.group(0) in _strip(sess, s[: m.start()] + slipped, n)
            cases += 1
    return _rate(hits, cases)


def numbers(sess, sentences: list[str], n: int, pack: LanguagePack = DEFAULT) -> dict:
    """Every keystroke that ends in a digit of a number or code ("1990", "10:30", "3.5")."""
    quiet = keystrokes = 0
    for s in sentences:
        for m in re.finditer(r"(?<!\S)\d[\d.,:/-]*\b", s):
            for k in range(m.start() + 1, m.end() + 1):
                if not s[k - 1].isdigit():
                    continue  # "3," may end the number: the next word is offered after it
                keystrokes += 1
                quiet += not _strip(sess, s[:k], n)
    return _rate(quiet, keystrokes)


def blocked(engine, n: int, pack: LanguagePack = DEFAULT, words: int = 40) -> dict:
    """Block frequent lexicon words; count their forms offered before and after."""
    lex = engine.bundle.lexicon
    forms_of: dict[str, list[str]] = {}
    for form in lex.forms[:20000]:
        low = pack.fold(form)
        if low.isalpha() or pack.apostrophes[0] in low:
            for base in pack.base_forms(low)[1:]:
                forms_of.setdefault(base, []).append(form)
    bases = [pack.fold(f) for f in lex.forms[300:3000] if f.isalpha() and f.islower() and len(f) >= 4
             and len(forms_of.get(f, ())) >= 2][:words]
    sess = engine.session()
    offered_before = offered_after = 0
    for base in bases:
        forms = [f for f in forms_of[base] if pack.fold(f) in lex]
        probes = {f: [f[:k] for k in range(len(base), len(f))] for f in forms}

        def shown(f):
            return any(pack.fold(f) in {pack.fold(w) for w in _strip(sess, "I saw the " + p, n)} for p in probes[f])

        before = [f for f in forms if shown(f)]
        engine.memory.block(base)
        offered_before += len(before)
        offered_after += sum(shown(f) for f in before)
        engine.memory.unblock(base)
    return {"cases": offered_before, "words_blocked": len(bases), "forms_offered_after_block": offered_after,
            "rate": round(1 - offered_after / offered_before, 4) if offered_before else None}


def compounds(sess, sentences: list[str], n: int, known: Callable[[str], bool], pack: LanguagePack = DEFAULT) -> dict:
    """Every strip while typing the text; offered words that ``known`` (whole: the lexicon or
    the user's words) rejects, and of those, the hyphenated ones."""
    offered = outside = hyphen = 0
    examples: dict[str, int] = {}
    for s in sentences:
        for k in range(1, len(s) + 1):
            for w in _strip(sess, s[:k], n):
                offered += 1
                if not known(w):
                    outside += 1
                    hyphen += "-" in w
                    if len(examples) < 30:
                        examples[w] = examples.get(w, 0) + 1
    return {"cases": offered, "outside": outside, "outside_hyphenated": hyphen,
            "outside_share": round(outside / offered, 5) if offered else None,
            "rate": round(1 - outside / offered, 5) if offered else None, "examples": examples}


def run_kinds(engine, sentences: list[str], n: int = 3, kinds: tuple[str, ...] = KINDS,
              progress: Callable[[str], None] | None = None, known: Callable[[str], bool] | None = None) -> dict:
    """Every kind of ``kinds`` on ``sentences``: {kind: figures}; ``rate`` is the share of
    cases where the engine did what the user wanted. ``known(word)``: attested whole
    (default: the bundle's lexicon, the user's learned words)."""
    sess = engine.session()
    pack = getattr(engine, "pack", DEFAULT)
    if known is None:
        lex, memory = engine.bundle.lexicon, engine.memory
        known = lambda w: w in lex or memory.prob(w, None) > 0  # noqa: E731
    out = {}
    for kind in kinds:
        if progress is not None:
            progress(kind)
        if kind == "blocked":
            out[kind] = blocked(engine, n, pack)
        elif kind == "compounds":
            out[kind] = compounds(sess, sentences[:150], n, known, pack)
        else:
            out[kind] = globals()[kind](sess, sentences, n, pack)
    return out


def table(report: dict) -> str:
    rows = [f"{'kind':<14}{'cases':>8}{'rate':>9}  notes"]
    for kind, r in report.items():
        note = {k: v for k, v in r.items() if k not in ("cases", "rate", "wanted", "examples")}
        rate = "-" if r.get("rate") is None else f"{r['rate']:.3f}"
        rows.append(f"{kind:<14}{r['cases']:>8}{rate:>9}  {json.dumps(note)[:110]}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bundle", type=Path, default=None, help="bundle folder (default: the shipped one)")
    ap.add_argument("--text", type=Path, required=True, help="sentence file, one a line (the test split)")
    ap.add_argument("--max-sentences", type=int, default=1500)
    ap.add_argument("--kinds", default=",".join(KINDS), help=f"comma-separated subset of {','.join(KINDS)}")
    ap.add_argument("-n", type=int, default=3, help="suggestions per strip")
    ap.add_argument("--out", type=Path, required=True, help="JSON report to write")
    ap.add_argument("--engine-module", default="nextkey.engine",
                    help="module to import Engine from (another checkout's engine, for a before/after)")
    args = ap.parse_args(argv)
    import importlib
    Engine = importlib.import_module(args.engine_module).Engine
    kinds = tuple(k for k in args.kinds.split(",") if k)
    bad = sorted(set(kinds) - set(KINDS))
    if bad:
        ap.error(f"unknown kinds {bad}; known: {list(KINDS)}")
    engine = Engine.load(args.bundle)
    report = run_kinds(engine, read_sentences(args.text, args.max_sentences), args.n, kinds,
                       progress=lambda k: print(f"kind: {k}", file=sys.stderr, flush=True))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"engine": args.engine_module, "text": str(args.text),
                                    "sentences": args.max_sentences, "n": args.n,
                                    "kinds": report}, indent=1))
    print(table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
