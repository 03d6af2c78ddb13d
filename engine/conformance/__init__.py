"""The conformance kit: golden cases from the Python engine that a port of the
runtime (Kotlin, Swift, C++) checks itself against, with the tolerances it
must meet.

    nextkey conformance BUNDLE --out kit.json     # write the kit from this engine
    nextkey conformance BUNDLE --check kit.json   # run this engine against a kit

A kit is JSON, tied to one bundle by the sha256 of its files, and holds four
kinds of cases (docs/bundle-format.md, "Porting: the conformance kit"):

- ``tokenizer``: a string -> its SentencePiece pieces and ids (exact);
- ``context``: text before the cursor -> the units fed to the model, the word
  being typed, whether it opens a chunk and starts a sentence, and the ids
  each unit feeds (exact);
- ``step``: token sequences fed from a given state -> the top-k next-token
  ids and log-probabilities and a sample of the state (within tolerances);
- ``traces``: texts typed one after another into one session -> the
  suggestions (words, kinds and corrected flags exact, scores within a
  tolerance), covering next words, completions, casing, punctuation,
  apostrophes, typos, other scripts and the blocklist.

The tolerances are measured, not guessed: the kit is computed twice, with
LiteRT's default CPU kernels (XNNPACK) and with its built-in kernels
(``Engine.load(kernels=Kernels.BUILTIN)``, runner.py), the two
kernel families a port may end up on; each tolerance is ``margin`` times the
largest difference seen, and at least a floor. The kit is then checked against
the built-in kernels, and the result is recorded in it.

This module imports only the runtime (numpy, sentencepiece, LiteRT and
nextkey.engine), never TensorFlow: a port's CI can run it beside the app.
"""

from __future__ import annotations

import json
import logging
import math
import time
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from nextkey.engine import Engine
from nextkey.engine.bundle import Bundle, sha256_file
from nextkey.engine.settings import EngineSettings
from nextkey.engine.engine import DEFAULT_BUNDLE
from nextkey.engine.memory import SHIPPED_BLOCKLIST
from nextkey.engine.runner import Kernels
from nextkey.engine.state import unit_tokens

log = logging.getLogger(__name__)

FORMAT = "nextkey-conformance"
FORMAT_VERSION = 1
# The default bundle's kit, shipped with the package (regenerate it whenever the engine's behaviour changes).
DEFAULT_KIT = Path(__file__).resolve().parent / "default.json"


class ConformanceError(ValueError):
    """A kit that cannot be checked: not a kit, another format version, or made for another bundle."""


# ------------------------------------------------------------------ the cases
# Each tuple is (name, text). The texts are English-keyboard situations; any
# bundle answers them (the tiny test bundle answers them badly, but the same way
# every time).

TOKENIZER_CASES = (
    ("ascii", "Hello world, how are you?"),
    ("lowercase-word", "hello"),
    ("apostrophe-ascii", "don't it's I'm"),
    ("apostrophe-curly", "don’t it’s I’m"),
    ("digits", "12345 3.14 10:30"),
    ("emoji", "😀 👍🏽 ❤️"),
    ("cyrillic", "Привет мир"),
    ("cjk", "東京タワー"),
    ("arabic", "مرحبا بك"),
    ("accents-nfc", unicodedata.normalize("NFC", "café naïve")),
    ("accents-nfd", unicodedata.normalize("NFD", "café naïve")),  # the tokenizer does not normalize
    ("mixed-case", "NASA iPhone McDonald"),
    ("punctuation", "\"Hi!\" (yes) — ok…"),
    ("url", "https://example.com/a?b=1"),
    ("whitespace", "two  spaces\tand tab"),
)

CONTEXT_CASES = (
    ("empty", ""),
    ("next-word", "I would like to "),
    ("partial", "I would like to se"),
    ("after-sentence", "Hello there. h"),
    ("after-line-break", "Thanks.\nwh"),
    ("glued-to-bracket", "(wor"),
    ("ends-in-comma", "Hello,"),
    ("question-then-word", "Really? Yes"),
    ("curly-apostrophe", "I don’t kn"),
    ("hyphen", "a well-kn"),
    ("hyphen-part-by-part", "in a role-pl"),
    ("hyphen-just-typed", "a blue-"),
    ("quote-closes-sentence", "He said \"hi.\" Then"),
    ("zero-width", "hel\u200blo wor"),
    ("nfd", unicodedata.normalize("NFD", "café au l")),
    ("tab", "tab\tsep"),
    ("long-paste", " ".join(["the quick brown fox jumps over the lazy dog"] * 14) + " and th"),
    # the language pack's sentence rule, shared with training (engine/lang/)
    ("abbreviation", "I met Dr. Sm"),
    ("initials", "The U.S. gov"),
    ("etc-lowercase", "eggs, etc. an"),
    ("ellipsis", "Wait... th"),
    ("lowercase-after-end", "It was late. he said so"),
    ("decimal", "it costs 3.5 eu"),
)

# (name, texts typed one after another into one session, n)
TRACES = (
    ("next-words", ("", "I ", "I would like to ", "Thank you very ", "The cat sat on the "), 3),
    ("typing-a-word", ("I would like to s", "I would like to se", "I would like to see",
                       "I would like to see ", "I would like to see y"), 3),
    ("completions", ("Good mor", "How are you do", "Please let me kn", "The weather is lov"), 3),
    ("sentence-starts", ("Hello there. ", "Hello there. h", "How are you? ", "Good morning! wh",
                         "Thanks.\n", "Thanks\nwh"), 3),
    ("typed-capital", ("Mon", "I will see you on Mon", "The Ca", "see you on F"), 3),
    # lowercase typed keeps a word lowercase where the lexicon has that spelling (form.shape)
    ("typed-lowercase", ("a new const", "a new Const", "groups of member st", "see you on mon", "I flew to lond"), 3),
    ("all-caps", ("I WOULD LIKE TO SE", "THANK YO", "HE", "H"), 3),
    ("pronoun-I", ("i", "and then i", "so i ", "yesterday i'", "what i"), 3),
    ("punctuation", ("Hello, ", "Hello,", "(wor", "\"Hel", "Really?", "Really? ", "I said \"",
                     "a well-kn", "e-mail ad", "in a role-pl", "a sun-dr"), 3),
    ("apostrophes-ascii", ("Don't wor", "I don'", "I don't kn", "it's a", "It's "), 3),
    ("apostrophes-curly", ("I don’", "I don’t kn", "it’s a", "It’s ", "we’re go"), 3),
    ("typos", ("Thank you vrey", "I would lkie", "How are yuo", "the wetaher", "Good mornign"), 3),
    ("digits-emoji-scripts", ("I have 2 ", "at 10:3", "I love you ❤️ ", "😀 ha", "Привет ", "東京 ",
                              "café au l", unicodedata.normalize("NFD", "café au l"), "naïve "), 3),
    ("controls", ("hel\u200blo wor", "tab\tsep", "hello  ", "line one\n\nline t"), 3),
    ("long-paste", (" ".join(["the quick brown fox jumps over the lazy dog"] * 14) + " ",
                    " ".join(["the quick brown fox jumps over the lazy dog"] * 14) + " and th"), 3),
    ("five-slots", ("I would like to ", "I would like to g", "thank "), 5),
    ("sentence-rule", ("I met Dr. ", "I met Dr. Sm", "Mr. ", "eggs, etc. an", "The U.S. ", "Wait... ",
                       "at 5 p.m. th", "It was late. he "), 3),
    ("addresses", ("email me at someone@example.c", "see https://exa", "go to www.goo", "ping @jo"), 3),
    # issue 20: real typing (the language pack's contractions, digit slips, compounds, addresses)
    ("contractions", ("ok so im", "I think thats", "Dont", "DONT", "tomorrow ill", "we were", "I cant", "theyre",
                      "I can’t go. Im", "the dog wagged its"), 3),
    ("periods", ("I bought milk, eggs, etc. an", "It costs 3.5 m", "We met at 10.30 a", "Ask J. R. R. Tolkien ab"), 3),
    ("after-address", ("I sent it to bob@example.com and ", "I sent it to and ", "see https://example.com/a-b for the ",
                       "mail jane.doe+news@mail.example.org, th"), 3),
    ("digits", ("say hell0", "it was gr3at", "the p4ople", "555", "at 10:30", "it costs 3.5", "v2.0.1"), 3),
    ("compounds", ("moose-", "end-", "the non-de", "a well-kn", "twenty-f", "a long-t"), 5),
)

# Traces a bundle of that language adds (its pack's rules on its own text): German nouns
# capitalized mid-sentence, umlauts and ß typed plain, abbreviations, QWERTZ slips, compounds.
LANGUAGE_TRACES = {
    "de": (
        ("de-nouns", ("Ich habe das Bu", "Klicken Sie auf die Schaltf", "Der Benutzer muss das Passw",
                      "Ich möchte gerne "), 3),
        ("de-folding", ("Das ist schoe", "Das ist scho", "Das ist fuer", "Das ist gross", "Die Stras",
                        "Ich wei", "Er geht ueber"), 3),
        ("de-sentence-rule", ("Das gilt z. B. ", "Das gilt z. B. f", "Das ist gut, d. h. ", "am 3. Okt",
                              "Das ist gut. d", "Er sagte: „W"), 3),
        ("de-qwertz-slips", ("Das Hsus", "Ich gehe nsch", "Das ist gzt"), 3),
        ("de-compounds", ("Die Passwortverw", "Die Systemverw", "Öffnen Sie die Paketquellenl",
                          "Die Druckertreiberi", "Die Schluesselverw"), 3),
    ),
}

# Edits through the Session API (name, operations): ["text", t] sets the text, ["accept", w]
# accepts the word w, ["type", s] types s, ["backspace", k]; the kit records the text after each.
EDIT_CASES = (
    ("period-after-accept", (("text", "See you tomor"), ("accept", "tomorrow"), ("type", "."))),
    ("marks-after-accept", (("text", "Yes I kn"), ("accept", "know"), ("type", ","), ("type", " an"),
                            ("accept", "and"), ("type", "?"), ("type", " (s"), ("accept", "see"), ("type", ")"))),
    ("quotes-after-accept", (("text", 'He said "see you tomor'), ("accept", "tomorrow"), ("type", '"'),
                             ("type", " and wa"), ("accept", "walked"), ("type", '"'))),
    ("typed-space-stays", (("text", "See you tomor"), ("accept", "tomorrow"), ("backspace", 1), ("type", " "),
                           ("type", "."))),
    ("contraction-accept", (("text", "ok so im"), ("accept", "I'm"), ("type", "."))),
)

# The blocklist trace: the top next word after this context is blocked, then
# the context, its first letter, all but its last letter, a typo of it, and the
# word typed in full are suggested; the same steps unblocked are the control.
BLOCK_CONTEXT = "Thank you very "

STEP_TEXTS = (
    ("sentence", "I would like to see you"),
    ("two-sentences", "Thank you.\nHow are"),  # the line break stands for </s>
    ("bytes", "😀 café"),
    ("long", " ".join(["the quick brown fox jumps over the lazy dog"] * 5)),
)
BATCH_TEXTS = ("I would like", "Thank you very", "The cat sat on")


# --------------------------------------------------------------- the config


@dataclass(frozen=True)
class KitConfig:
    """How a kit is made. The engine settings are recorded in the kit, and the
    checker builds its engine from the kit's, so a kit describes itself."""

    top_k: int = 8  # next-token ids recorded per step case
    state_sample: int = 16  # state values recorded per row (evenly strided)
    margin: float = 2.0  # tolerance = margin x the largest difference between kernel families
    floor_logprob: float = 1e-3  # the smallest tolerances (float32 bundles differ by ~1e-6)
    floor_state: float = 1e-4
    floor_score: float = 1e-3
    alternates: int = 2  # extra slots searched for the words that may take the last slot
    settings: EngineSettings = field(default_factory=EngineSettings)


@dataclass(frozen=True)
class Failure:
    case: str  # e.g. "trace 'typos' step 0 'Thank you vrey'"
    message: str

    def __str__(self) -> str:
        return f"{self.case}: {self.message}"


@dataclass(frozen=True)
class CheckReport:
    checked: dict[str, int]  # cases checked per kind
    failures: list[Failure]

    @property
    def ok(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        total = sum(self.checked.values())
        kinds = ", ".join(f"{k} {v}" for k, v in self.checked.items())
        if self.ok:
            return f"PASS: {total} cases ({kinds})"
        by_kind: dict[str, int] = {}
        for f in self.failures:
            kind = f.case.split(" ", 1)[0]
            by_kind[kind] = by_kind.get(kind, 0) + 1
        bad = ", ".join(f"{k} {v}" for k, v in by_kind.items())
        return f"FAIL: {len(self.failures)} failures ({bad}) in {total} cases ({kinds})"


def _engine(bundle: Path, settings: EngineSettings, builtin_kernels: bool = False) -> Engine:
    return Engine.load(bundle, settings=settings, kernels=Kernels.BUILTIN if builtin_kernels else Kernels.DEFAULT)


def kit_settings(recorded: dict) -> EngineSettings:
    """The engine settings a kit records: ``settings`` (EngineSettings.to_dict), or in kits
    made before the settings were one dataclass, ``decoder`` (with the prior's weight and
    words) and ``slips``."""
    if "settings" in recorded:
        return EngineSettings.from_dict(recorded["settings"])
    decoder = dict(recorded["decoder"])
    weight, words = decoder.pop("prior_weight", 0.05), decoder.pop("prior_words", 3)
    return EngineSettings.from_dict({"decoder": decoder, "slips": recorded["slips"], "window": recorded["window"],
                                     "weights": {"prior": weight, "memory": 0.25}, "prior_words": words})


# ------------------------------------------------------------- computing


def initial_state(init: str, rows: int, size: int) -> np.ndarray:
    """The state a step case starts from. "zeros", or "pattern7": state[i] =
    ((i mod 7) - 3) / 8, exact in binary floating point (a non-zero state a port
    can build in one line)."""
    match init:
        case "zeros":
            return np.zeros((rows, size), np.float32)
        case "pattern7":
            return np.tile(((np.arange(size) % 7 - 3) / 8).astype(np.float32), (rows, 1))
        case _:
            raise ConformanceError(f"unknown initial state {init!r}: expected 'zeros' or 'pattern7'")


def _run_rows(runner, rows: list[list[int]], init: str) -> tuple[np.ndarray, np.ndarray]:
    """Feed the rows in lockstep as one batch through ``runner`` (an engine's new_runner()):
    (logprobs (B, V), state (B, S)) after the last token."""
    assert rows and len({len(r) for r in rows}) == 1, rows
    state = initial_state(init, len(rows), runner.state_size)
    lp = None
    for t in range(len(rows[0])):
        lp, state = runner.step(np.array([r[t] for r in rows], np.int32), state)
    return np.asarray(lp), np.asarray(state)


def _step_specs(eng: Engine) -> list[dict]:
    m, enc = eng.manifest, eng.encode
    start, eos = m.start_id, m.eos_id
    specs = [{"name": "start", "init": "zeros", "rows": [[start]]}]
    for name, text in STEP_TEXTS:
        ids = [start]
        for i, line in enumerate(text.split("\n")):
            ids += ([eos] if i else []) + enc(line)
        specs.append({"name": name, "init": "zeros", "rows": [ids[:48]]})
    batch = [[start] + enc(t) for t in BATCH_TEXTS]
    width = min(len(r) for r in batch)
    specs.append({"name": "batch", "init": "zeros", "rows": [r[:width] for r in batch]})
    specs.append({"name": "no-start-token", "init": "zeros", "rows": [enc("hello there")]})
    specs.append({"name": "given-state", "init": "pattern7", "rows": [enc("the")[:1] + enc("end")]})
    return specs


def _state_sample(state: np.ndarray, count: int) -> tuple[int, list[float]]:
    stride = max(1, state.shape[-1] // count)
    return stride, [round(float(v), 6) for v in state[::stride][:count]]


def _step_cases(eng: Engine, cfg: KitConfig) -> list[dict]:
    cases, runner = [], eng.new_runner()
    for spec in _step_specs(eng):
        lp, state = _run_rows(runner, spec["rows"], spec["init"])
        top, floor, samples = [], [], []
        for row_lp, row_state in zip(lp, state):
            order = np.argsort(-row_lp, kind="stable")
            top.append([[int(i), round(float(row_lp[i]), 6)] for i in order[: cfg.top_k]])
            floor.append(round(float(row_lp[order[cfg.top_k]]), 6))
            stride, values = _state_sample(row_state, cfg.state_sample)
            samples.append(values)
        cases.append({**spec, "top_k": top, "floor": floor, "state_stride": stride, "state_sample": samples})
    return cases


def _tokenizer_cases(eng: Engine) -> list[dict]:
    sp = eng.sp
    return [{"name": name, "text": text, "pieces": sp.encode(text, out_type=str), "ids": sp.encode(text),
             "decoded": sp.decode(sp.encode(text))} for name, text in TOKENIZER_CASES]


def _context_cases(eng: Engine) -> list[dict]:
    out = []
    for name, text in CONTEXT_CASES:
        ctx = eng.context(text)
        out.append({"name": name, "text": text, "units": list(ctx.units), "partial": ctx.partial,
                    "needs_space": ctx.needs_space, "sentence_start": ctx.sentence_start,
                    "tokens": [unit_tokens(eng.encode, u, eng.manifest.eos_id) for u in ctx.units]})
    return out


def _suggest_trace(eng: Engine, texts: tuple[str, ...], n: int, blocked: tuple[str, ...]) -> list[list[dict]]:
    """One session typed through ``texts``; the suggestions after each."""
    for w in blocked:
        eng.memory.block(w)
    try:
        session = eng.session()
        out = []
        for text in texts:
            session.set_text(text)
            out.append([{"word": s.word, "score": round(float(s.score), 6), "kind": s.kind,
                         "corrected": bool(s.corrected)} for s in session.suggest(n)])
        return out
    finally:
        for w in blocked:
            eng.memory.unblock(w)


def _trace_specs(eng: Engine) -> list[dict]:
    traces = TRACES + LANGUAGE_TRACES.get(eng.pack.code, ())
    specs = [{"name": name, "texts": list(texts), "n": n, "blocked": []} for name, texts, n in traces]
    first = _suggest_trace(eng, (BLOCK_CONTEXT,), 3, ())[0]
    word = next((s["word"] for s in first if len(s["word"]) >= 3), None)
    if word is None:
        log.warning("no word of 3+ letters after %r: the kit has no blocklist trace", BLOCK_CONTEXT)
        return specs
    typo = word[0] + word[2] + word[1] + word[3:]  # two letters swapped: a correction would offer the word
    texts = [BLOCK_CONTEXT, BLOCK_CONTEXT + word[0], BLOCK_CONTEXT + word[:-1], BLOCK_CONTEXT + typo,
             BLOCK_CONTEXT + word]
    specs.append({"name": "blocklist", "texts": texts, "n": 3, "blocked": [word]})
    specs.append({"name": "blocklist-control", "texts": texts, "n": 3, "blocked": []})
    forms = ["see you tomor", "the cit", "the citie", "we wal", "see you tomorrow"]  # blocking blocks every form
    specs.append({"name": "blocklist-forms", "texts": forms, "n": 5, "blocked": ["tomorrow", "city", "walk"]})
    specs.append({"name": "blocklist-forms-control", "texts": forms, "n": 5, "blocked": []})
    return specs


def _edit_texts(eng: Engine, ops) -> list[str]:
    """The session's text after each edit operation (EDIT_CASES)."""
    session, out = eng.session(), []
    for op, arg in ops:
        if op == "text":
            session.set_text(arg)
        elif op == "accept":
            session.accept(arg)
        elif op == "type":
            session.type(arg)
        elif op == "backspace":
            session.backspace(arg)
        else:
            raise ConformanceError(f"unknown edit operation {op!r}")
        out.append(session.text)
    return out


def _spread(a: list[dict], b: list[dict]) -> float:
    """Largest |score difference| of the words two strips share."""
    sb = {s["word"]: s["score"] for s in b}
    return max((abs(s["score"] - sb[s["word"]]) for s in a if s["word"] in sb), default=0.0)


def _tolerance(spread: float, margin: float, floor: float) -> float:
    """margin x spread, rounded up to two significant digits, at least ``floor``."""
    t = max(floor, margin * spread)
    scale = 10 ** (math.floor(math.log10(t)) - 1)
    return math.ceil(t / scale - 1e-9) * scale


def bundle_identity(bundle: Bundle) -> dict:
    m = bundle.manifest
    return {"name": m.name, "sha256": dict(m.data["sha256"]), "pieces_sha256": m.pieces_sha256,
            "manifest_sha256": sha256_file(m.path / "manifest.json"), "quantization": m.quantization}


def _engine_settings(cfg: KitConfig) -> dict:
    return {"settings": cfg.settings.to_dict(), "window": asdict(cfg.settings.window),
            "memory": "empty (no learned words)", "blocklist_sha256": sha256_file(SHIPPED_BLOCKLIST)}


def make_kit(bundle: str | Path, cfg: KitConfig = KitConfig()) -> dict:
    """The kit of ``bundle``: every case computed with the default kernels,
    tolerances measured against the built-in kernels, then checked against them."""
    bundle = Path(bundle)
    t0 = time.perf_counter()
    eng = _engine(bundle, cfg.settings)
    other = _engine(bundle, cfg.settings, builtin_kernels=True)

    steps = _step_cases(eng, cfg)
    lp_spread = state_spread = 0.0
    mine, theirs = eng.new_runner(), other.new_runner()
    for case in steps:
        mine_lp, mine_state = _run_rows(mine, case["rows"], case["init"])
        lp_b, state_b = _run_rows(theirs, case["rows"], case["init"])
        for row, top in enumerate(case["top_k"]):
            lp_spread = max(lp_spread, max(abs(lp - float(lp_b[row, i])) for i, lp in top))
        state_spread = max(state_spread, float(np.max(np.abs(mine_state - state_b))))

    traces, score_spread = [], 0.0
    for spec in _trace_specs(eng):
        blocked = tuple(spec["blocked"])
        mine = _suggest_trace(eng, tuple(spec["texts"]), spec["n"], blocked)
        theirs = _suggest_trace(other, tuple(spec["texts"]), spec["n"], blocked)
        wider = _suggest_trace(eng, tuple(spec["texts"]), spec["n"] + cfg.alternates, blocked)
        score_spread = max([score_spread] + [_spread(a, b) for a, b in zip(mine, theirs)])
        traces.append((spec, mine, theirs, wider))

    tol = {"logprob": _tolerance(lp_spread, cfg.margin, cfg.floor_logprob),
           "state": _tolerance(state_spread, cfg.margin, cfg.floor_state),
           "score": _tolerance(score_spread, cfg.margin, cfg.floor_score)}
    out_traces = []
    for spec, mine, theirs, wider in traces:
        steps_out = []
        for text, expect, other_found, more in zip(spec["texts"], mine, theirs, wider):
            shown = {s["word"] for s in expect}
            low = min((s["score"] for s in expect), default=math.inf)
            alts: dict[str, dict] = {}
            for s in other_found + more:
                if s["word"] not in shown and s["score"] >= low - 2 * tol["score"] and s["word"] not in alts:
                    alts[s["word"]] = s
            steps_out.append({"text": text, "expect": expect,
                              "alternates": sorted(alts.values(), key=lambda s: -s["score"])})
        out_traces.append({"name": spec["name"], "n": spec["n"], "blocked": spec["blocked"], "steps": steps_out})

    kit = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "made_with": "nextkey conformance BUNDLE --out FILE (nextkey.engine.conformance.make_kit)",
        "bundle": bundle_identity(eng.bundle),
        "engine": _engine_settings(cfg),
        "tolerances": {
            **tol,
            "order": "two items whose expected values differ by at most 2 x the tolerance may come in either order",
            "how": (f"{cfg.margin:g} x the largest difference between LiteRT's default CPU kernels (XNNPACK) and its "
                    "built-in kernels over this kit's cases, rounded up to 2 significant digits, at least "
                    f"{cfg.floor_logprob:g} (logprob), {cfg.floor_state:g} (state), {cfg.floor_score:g} (score)"),
            "measured": {"logprob": round(lp_spread, 6), "state": round(state_spread, 6),
                         "score": round(score_spread, 6)},
        },
        "tokenizer": _tokenizer_cases(eng),
        "context": _context_cases(eng),
        "step": steps,
        "traces": out_traces,
        "edits": [{"name": name, "ops": [list(op) for op in ops], "texts": _edit_texts(eng, ops)}
                  for name, ops in EDIT_CASES],
    }
    report = check_kit(bundle, kit, engine=other)
    kit["cross_check"] = {"kernels": "LiteRT built-in (no XNNPACK)", "summary": report.summary(),
                          "failures": [str(f) for f in report.failures]}
    kit["counts"] = count_cases(kit)
    log.info("kit made in %.1f s: %s; %s", time.perf_counter() - t0, kit["counts"], report.summary())
    return kit


def count_cases(kit: dict) -> dict[str, int]:
    return {"tokenizer": len(kit["tokenizer"]), "context": len(kit["context"]), "step": len(kit["step"]),
            "trace_steps": sum(len(t["steps"]) for t in kit["traces"]), "traces": len(kit["traces"]),
            "edits": len(kit.get("edits", ()))}


def write_kit(kit: dict, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(kit, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return path


def read_kit(path: str | Path) -> dict:
    path = Path(path)
    try:
        kit = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConformanceError(f"no kit at {path}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ConformanceError(f"{path} is not a JSON kit: {e}") from None
    except RecursionError:
        raise ConformanceError(f"{path} is not a kit: JSON nested too deeply") from None
    except OSError as e:  # a folder, no permission
        raise ConformanceError(f"cannot read {path}: {e.strerror or e}") from None
    if not isinstance(kit, dict) or kit.get("format") != FORMAT:
        raise ConformanceError(f"{path} is not a {FORMAT} kit (format {kit.get('format') if isinstance(kit, dict) else None!r})")
    if kit.get("format_version") != FORMAT_VERSION:
        raise ConformanceError(f"{path}: kit format_version {kit.get('format_version')!r} != {FORMAT_VERSION}, "
                               "the version this checker reads")
    missing = [k for k in ("bundle", "engine", "tolerances", "tokenizer", "context", "step", "traces") if k not in kit]
    if missing:
        raise ConformanceError(f"{path}: the kit has no {', '.join(missing)}")
    return kit


# --------------------------------------------------------------- checking


def check_strip(case: str, expect: list[dict], alternates: list[dict], got: list[dict], tol: float) -> list[Failure]:
    """The rule for a suggestion strip (docs/bundle-format.md):
    - the same number of words; each word shown is expected or an alternate,
      with the same kind and corrected flag and its score within ``tol``;
    - an expected word may be missing only if an alternate shown scored within
      2 x ``tol`` of it (the last slots of a close race);
    - words may come in another order only where their expected scores are
      within 2 x ``tol`` (each may move by ``tol``)."""
    out: list[Failure] = []
    if len(got) != len(expect):
        out.append(Failure(case, f"{len(got)} suggestions {[s['word'] for s in got]}, "
                                 f"expected {len(expect)} {[s['word'] for s in expect]}"))
    known = {s["word"]: s for s in expect}
    alts = {s["word"]: s for s in alternates}
    for s in got:
        want = known.get(s["word"]) or alts.get(s["word"])
        if want is None:
            out.append(Failure(case, f"unexpected word {s['word']!r} (expected {[e['word'] for e in expect]})"))
            continue
        for key in ("kind", "corrected"):
            if s[key] != want[key]:
                out.append(Failure(case, f"{s['word']!r}: {key} {s[key]!r}, expected {want[key]!r}"))
        if abs(s["score"] - want["score"]) > tol:
            out.append(Failure(case, f"{s['word']!r}: score {s['score']:.4f}, expected {want['score']:.4f} "
                                     f"(|diff| {abs(s['score'] - want['score']):.4f} > tolerance {tol:g})"))
    shown = {s["word"] for s in got}
    best_alt = max((alts[w]["score"] for w in shown if w in alts), default=-math.inf)
    for e in expect:
        if e["word"] not in shown and e["score"] > best_alt + 2 * tol:
            out.append(Failure(case, f"missing word {e['word']!r} (score {e['score']:.4f}); "
                                     f"got {[s['word'] for s in got]}"))
    ref = [(known.get(s["word"]) or alts.get(s["word"]) or {}).get("score") for s in got]
    for i in range(len(got)):
        for j in range(i + 1, len(got)):
            if ref[i] is not None and ref[j] is not None and ref[j] - ref[i] > 2 * tol:
                out.append(Failure(case, f"order: {got[i]['word']!r} before {got[j]['word']!r}, but expected "
                                         f"scores {ref[i]:.4f} < {ref[j]:.4f} by more than 2 x {tol:g}"))
    return out


def _check_step(case: str, want: dict, lp: np.ndarray, state: np.ndarray, tol: dict) -> list[Failure]:
    out: list[Failure] = []
    k = len(want["top_k"][0])
    for row, (top, floor, sample) in enumerate(zip(want["top_k"], want["floor"], want["state_sample"])):
        where = f"{case} row {row}"
        for i, value in top:
            if abs(float(lp[row, i]) - value) > tol["logprob"]:
                out.append(Failure(where, f"logprob of id {i} is {float(lp[row, i]):.5f}, expected {value:.5f} "
                                          f"(tolerance {tol['logprob']:g})"))
        recorded = {i for i, _ in top}
        for i in np.argsort(-lp[row], kind="stable")[:k].tolist():
            # An id outside the recorded top-k had an expected logprob <= floor.
            if i not in recorded and float(lp[row, i]) > floor + tol["logprob"]:
                out.append(Failure(where, f"top-{k} id {i} (logprob {float(lp[row, i]):.5f}) is not among the "
                                          f"expected ids {sorted(recorded)} and beats their floor {floor:.5f} "
                                          f"by more than {tol['logprob']:g}"))
        _, got = _state_sample(state[row], len(sample))
        bad = [j for j, (a, b) in enumerate(zip(got, sample)) if abs(a - b) > tol["state"]]
        if bad:
            j = bad[0]
            out.append(Failure(where, f"state sample differs at {len(bad)} of {len(sample)} values, first "
                                      f"[{j * want['state_stride']}] {got[j]:.6f} vs {sample[j]:.6f} "
                                      f"(tolerance {tol['state']:g})"))
    return out


def check_kit(bundle: str | Path, kit: dict, engine: Engine | None = None) -> CheckReport:
    """Run the Python engine against ``kit``; every case that fails, named.

    ``engine``: one already built for this bundle (make_kit passes the
    built-in-kernel engine); by default one is built with the kit's settings."""
    bundle = Path(bundle)
    settings = kit["engine"]
    if engine is None:
        try:
            engine_settings = kit_settings(settings)
        except (TypeError, ValueError, KeyError) as e:
            raise ConformanceError(f"the kit's engine settings do not fit this engine ({e}): regenerate the kit") from None
        engine = _engine(bundle, engine_settings)
    eng = engine
    have = bundle_identity(eng.bundle)
    for key in ("sha256", "pieces_sha256"):
        if kit["bundle"][key] != have[key]:
            raise ConformanceError(f"the kit was made for another bundle: its {key} {kit['bundle'][key]} != "
                                   f"{bundle}'s {have[key]}")
    failures: list[Failure] = []
    for key, value in (("window", asdict(eng.settings.window)), ("blocklist_sha256", sha256_file(SHIPPED_BLOCKLIST))):
        if settings[key] != value:
            failures.append(Failure(f"engine {key}", f"this engine has {value}, the kit {settings[key]}"))

    sp = eng.sp
    for c in kit["tokenizer"]:
        case = f"tokenizer {c['name']!r}"
        pieces, ids = sp.encode(c["text"], out_type=str), sp.encode(c["text"])
        if pieces != c["pieces"] or ids != c["ids"]:
            failures.append(Failure(case, f"{c['text']!r} -> {pieces} {ids}, expected {c['pieces']} {c['ids']}"))
        if sp.decode(c["ids"]) != c["decoded"]:
            failures.append(Failure(case, f"decode({c['ids']}) = {sp.decode(c['ids'])!r}, expected {c['decoded']!r}"))

    for c in kit["context"]:
        ctx = eng.context(c["text"])
        got = {"units": list(ctx.units), "partial": ctx.partial, "needs_space": ctx.needs_space,
               "sentence_start": ctx.sentence_start,
               "tokens": [unit_tokens(eng.encode, u, eng.manifest.eos_id) for u in ctx.units]}
        for key, value in got.items():
            if value != c[key]:
                failures.append(Failure(f"context {c['name']!r}", f"{key} {value!r}, expected {c[key]!r}"))

    tol = kit["tolerances"]
    runner = eng.new_runner()
    for c in kit["step"]:
        lp, state = _run_rows(runner, c["rows"], c["init"])
        failures += _check_step(f"step {c['name']!r}", c, lp, state, tol)

    for t in kit["traces"]:
        found = _suggest_trace(eng, tuple(s["text"] for s in t["steps"]), t["n"], tuple(t["blocked"]))
        for i, (s, got) in enumerate(zip(t["steps"], found)):
            failures += check_strip(f"trace {t['name']!r} step {i} {s['text'][-40:]!r}", s["expect"],
                                     s["alternates"], got, tol["score"])
    for c in kit.get("edits", ()):  # (kits before issue 20 have none)
        got = _edit_texts(eng, [tuple(op) for op in c["ops"]])
        for i, (want, have_text) in enumerate(zip(c["texts"], got)):
            if want != have_text:
                failures.append(Failure(f"edit {c['name']!r} op {i} {c['ops'][i]}", f"text {have_text!r}, expected {want!r}"))
                break
    checked = {"tokenizer": len(kit["tokenizer"]), "context": len(kit["context"]), "step": len(kit["step"]),
               "trace": sum(len(t["steps"]) for t in kit["traces"]), "edit": len(kit.get("edits", ()))}
    return CheckReport(checked, failures)


def kit_summary(kit: dict) -> str:
    c, t = kit["counts"], kit["tolerances"]
    return (f"{c['tokenizer']} tokenizer, {c['context']} context, {c['step']} step cases, {c['trace_steps']} "
            f"suggestion steps in {c['traces']} traces; tolerances logprob {t['logprob']:g}, state {t['state']:g}, "
            f"score {t['score']:g} (measured kernel differences {t['measured']})")

