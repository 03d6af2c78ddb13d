"""Can the user memory be trusted? Secrets, slips and new words, counted (issue 22).

(a) Secrets: a generated set of secret-like tokens (passwords mixing letters and
    digits, hex keys, API-key-like strings, card, phone and account numbers) and
    of ordinary tokens (made-up names and jargon, common letter-digit words such
    as "mp3", ordinals and decades), each typed three times in a sentence through
    a learning Session: how many of each the store holds afterwards (want: no
    secret, every ordinary token).
(b) Slips: the test split typed by the noisy typist (evaluate/noisy.py: 5% of
    letters slip to a neighbouring key, a swap or an omission), its text learned
    as typed: how many slipped spellings (not a word of the clean text, not in
    the lexicon) the memory would offer, per 1,000 typed words, with the slip
    rule (a word one slip from a frequent word needs about four uses) and
    without it (``slip_min_count`` = ``min_count``).
(c) New words: of the made-up names and jargon typed twice, how many are offered.

    python bench/memory_trust.py --sentences 2000 --out reports/memory_trust.json
"""

from __future__ import annotations

import argparse
import json
import random
import string
import sys
from dataclasses import replace
from pathlib import Path

from nextkey.engine import Engine
from nextkey.engine.memory import MemoryConfig
from nextkey.engine.text import WORD
from nextkey.evaluate.noisy import NoiseConfig, Typist, type_with_slips
from nextkey.evaluate.stats import read_sentences


def secret_tokens(n: int, rng: random.Random) -> list[str]:
    """Shapes people type into fields an app did not mark private."""
    out = []
    for i in range(n):
        kind = i % 6
        if kind == 0:  # a password: a word, digits, letters
            out.append(rng.choice(["hunter", "dragon", "sunny", "Monkey", "secret"]) + str(rng.randrange(10, 9999))
                       + "".join(rng.choices(string.ascii_lowercase, k=rng.randrange(0, 3))))
        elif kind == 1:  # hex
            out.append("".join(rng.choices("0123456789abcdef", k=rng.choice([8, 12, 16, 32]))))
        elif kind == 2:  # an API key / token
            out.append("".join(rng.choices(string.ascii_letters + string.digits, k=rng.randrange(12, 30))))
        elif kind == 3:  # a card number
            out.append("".join(rng.choices(string.digits, k=16)))
        elif kind == 4:  # a phone or account number
            out.append("0" + "".join(rng.choices(string.digits, k=rng.randrange(9, 12))))
        else:  # a code: letters and digits mixed
            out.append("".join(rng.choice([rng.choice(string.ascii_uppercase), rng.choice(string.digits)])
                               for _ in range(rng.randrange(5, 9))))
    return [t for t in out if any(c.isdigit() for c in t)]  # (a token of letters only is no secret by shape)


def ordinary_tokens(n: int, rng: random.Random) -> list[str]:
    syllables = ["zor", "bla", "quix", "ten", "mar", "vel", "dun", "ash", "kor", "lim", "pra", "sol"]
    out = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            out.append("".join(rng.choices(syllables, k=3)).capitalize())
        elif kind == 1:
            out.append("".join(rng.choices(syllables, k=2)) + rng.choice(["ctl", "ify", "ops", "ing"]))
        elif kind == 2:
            out.append(rng.choice(["mp3", "4G", "PS4", "5pm", "CO2", "3D", "4K", "MP3"]))
        else:
            out.append(rng.choice([f"{rng.randrange(1, 30)}th", f"{rng.choice([19, 20])}{rng.randrange(0, 9)}0s"]))
    return out


def typed_three_times(eng: Engine, token: str) -> None:
    sess = eng.session(learn=True)
    for ch in f"my note says {token} today. " * 3:
        sess.type(ch)
    sess.suggest(3)


def secrets_and_new_words(n: int, seed: int) -> dict:
    rng = random.Random(seed)
    secrets, ordinary = secret_tokens(n, rng), ordinary_tokens(n, rng)
    eng = Engine.load()
    for t in secrets + ordinary:
        typed_three_times(eng, t)
    words = eng.memory.words
    stored_secrets = [t for t in secrets if t.lower() in words]
    stored_ordinary = [t for t in ordinary if t.lower() in words]
    # (c) new words typed twice are offered
    new = [t for t in ordinary if t.isalpha()][: n // 2]
    fresh = Engine.load()
    fresh.learn_text("\n".join(f"we met {t} there" for t in new * 2))
    offered = [t for t in new if t in fresh.memory.candidates(t[:2], 50)]
    return {"secret_tokens": len(secrets), "secrets_stored": len(stored_secrets), "secrets_stored_examples": stored_secrets[:10],
            "ordinary_tokens": len(ordinary), "ordinary_stored": len(stored_ordinary),
            "ordinary_not_stored": sorted(set(ordinary) - set(stored_ordinary))[:10],
            "new_words_typed_twice": len(new), "new_words_offered": len(offered)}


def noisy_text(sentences: list[str], rate: float, seed: int) -> tuple[list[str], int]:
    typist = Typist(NoiseConfig(rate=rate, seed=seed))
    out, words = [], 0
    for s in sentences:
        pieces, last = [], 0
        for m in WORD.finditer(s):
            pieces += [s[last:m.start()], type_with_slips(typist, m.group(0))]
            last, words = m.end(), words + 1
        out.append("".join(pieces) + s[last:])
    return out, words


def slips_learned(sentences: list[str], rate: float, seed: int) -> dict:
    noisy, n_words = noisy_text(sentences, rate, seed)
    clean = {w.lower() for s in sentences for w in WORD.findall(s)}
    rows = {}
    for label, rule in (("without the slip rule", False), ("with the slip rule", True)):
        cfg = MemoryConfig(path=None, half_life=1e9)
        if not rule:
            cfg = replace(cfg, slip_min_count=cfg.min_count)
        eng = Engine.load(memory=cfg)
        eng.learn_text("\n".join(noisy))
        lex = eng.bundle.lexicon
        slips = [e[2] for k, e in eng.memory.words.items() if k not in clean and e[2] not in lex]
        offered = [w for w in slips if w in eng.memory.candidates(w, 50)]
        new_kept = [e[2] for k, e in eng.memory.words.items() if k in clean and e[2] not in lex
                    and e[0] >= cfg.min_count]
        new_offered = [w for w in new_kept if w in eng.memory.candidates(w, 50)]
        rows[label] = {"slipped_spellings_learned": len(slips), "slips_offered": len(offered),
                       "slips_offered_per_1000_words": round(1000 * len(offered) / n_words, 3),
                       "examples": offered[:12],
                       "text_words_outside_lexicon_typed_twice": len(new_kept),
                       "of_them_offered": len(new_offered)}
    return {"typed_words": n_words, "slip_rate": rate, **rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--text", type=Path, default=Path("data/corpus/test.txt"))
    ap.add_argument("--sentences", type=int, default=2000)
    ap.add_argument("--tokens", type=int, default=600, help="secret-like and ordinary tokens generated, each")
    ap.add_argument("--rate", type=float, default=0.05)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    report = {"secrets": secrets_and_new_words(args.tokens, 0),
              "slips": slips_learned(read_sentences(args.text, args.sentences), args.rate, 0)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1))
    s, sl = report["secrets"], report["slips"]
    print(f"secret-like tokens stored: {s['secrets_stored']} of {s['secret_tokens']}; ordinary tokens stored: "
          f"{s['ordinary_stored']} of {s['ordinary_tokens']}; new words offered after two uses: "
          f"{s['new_words_offered']} of {s['new_words_typed_twice']}")
    for label in ("without the slip rule", "with the slip rule"):
        r = sl[label]
        print(f"slips offered per 1,000 noisy words {label}: {r['slips_offered_per_1000_words']} "
              f"({r['slips_offered']} of {r['slipped_spellings_learned']} slipped spellings learned); the text's own "
              f"words outside the lexicon offered: {r['of_them_offered']} of {r['text_words_outside_lexicon_typed_twice']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
