"""The common words of a language that mix letters and digits ("mp3", "4G", "5pm"), for
the user memory's secrets rule (engine/text.py: learnable): such a word is learned only
when it is common, and "common" is this list, shipped with the language pack.

The list is wordfreq's (Speer et al., wordfreq 3: frequencies over Wikipedia,
subtitles, news, books, web text, Twitter and Reddit): every entry of the language's
top ``--top`` words that holds a letter and a digit and is at least ``--min-zipf``
(1 = once per billion words, 3 = once per million). wordfreq writes every digit of a
multi-digit number as 0 ("a000"), so entries with two zeros in a row, which stand for
many tokens, are left out.

    python -m nextkey.export.alnum --lang en --out engine/lang/en_alnum.txt
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nextkey.engine.lang import get_pack


def common_alnum(lang: str, top: int = 100_000, min_zipf: float = 3.0) -> list[str]:
    from wordfreq import top_n_list, zipf_frequency

    code = get_pack(lang).wordfreq_code
    return [w for w in top_n_list(code, top) if any(c.isdigit() for c in w) and any(c.isalpha() for c in w)
            and "00" not in w and zipf_frequency(w, code) >= min_zipf]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lang", default="en")
    ap.add_argument("--top", type=int, default=100_000)
    ap.add_argument("--min-zipf", type=float, default=3.0)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    words = common_alnum(args.lang, args.top, args.min_zipf)
    header = (f"# common letter-digit words of {args.lang!r} (python -m nextkey.export.alnum --lang {args.lang} "
              f"--top {args.top} --min-zipf {args.min_zipf}); from wordfreq, lowercase\n")
    args.out.write_text(header + "\n".join(words) + "\n", encoding="utf-8")
    print(f"{len(words)} words -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
