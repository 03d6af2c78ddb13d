"""The conformance kit (export/conformance.py): the Python engine passes its own
kit, a kit with any case altered fails naming that case, the rule for
suggestion strips (tolerance, near-ties, the last slot), and the kit shipped
with the default bundle passes against it."""

from __future__ import annotations

import copy
import json
import subprocess
import sys

import pytest

from nextkey.cli.main import main
from nextkey.engine.engine import DEFAULT_BUNDLE
from nextkey.engine.conformance import (DEFAULT_KIT, FORMAT_VERSION, ConformanceError, check_kit, check_strip,
                                        kit_settings, make_kit, read_kit, write_kit)
from nextkey.engine import Engine


@pytest.fixture(scope="module")
def kit(tiny_bundle) -> dict:
    return make_kit(tiny_bundle)


def _failures(bundle, kit) -> list[str]:
    return [str(f) for f in check_kit(bundle, kit).failures]


def _first_step_with_words(kit, at_least: int = 1) -> tuple[dict, dict]:
    for t in kit["traces"]:
        for s in t["steps"]:
            if len(s["expect"]) >= at_least:
                return t, s
    raise AssertionError("no trace step with suggestions")


def _unrecorded(top: list) -> int:
    """An id not among a step case's recorded top-k (past the special ids)."""
    recorded = {i for i, _ in top}
    return next(i for i in range(4, 1 << 20) if i not in recorded)


def test_the_engine_passes_its_own_fresh_kit(tiny_bundle, kit):
    report = check_kit(tiny_bundle, kit)
    assert report.ok, report.failures[:5]
    assert report.checked["tokenizer"] >= 10 and report.checked["step"] >= 5 and report.checked["trace"] >= 50
    # The other kernel family met the measured tolerances too.
    assert kit["cross_check"]["failures"] == [], kit["cross_check"]
    tol = kit["tolerances"]
    assert tol["logprob"] >= 1e-3 and tol["score"] >= 1e-3 and tol["state"] >= 1e-4
    assert tol["score"] >= 2 * tol["measured"]["score"]


def test_kit_is_json_and_reads_back(tmp_path, kit):
    path = write_kit(kit, tmp_path / "kit.json")
    assert read_kit(path) == json.loads(json.dumps(kit))


@pytest.mark.parametrize("alter, case_prefix, says", [
    ("word", "trace", "unexpected word"),
    ("kind", "trace", "kind"),
    ("corrected", "trace", "corrected"),
    ("score", "trace", "score"),
    ("topk_id", "step", "logprob of id"),
    ("topk_logprob", "step", "logprob of id"),
    ("state", "step", "state sample"),
    ("tokenizer", "tokenizer", "expected"),
    ("context", "context", "units"),
])
def test_an_altered_case_fails_naming_it(tiny_bundle, kit, alter, case_prefix, says):
    bad = copy.deepcopy(kit)
    tol = bad["tolerances"]
    t, s = _first_step_with_words(bad)
    step = bad["step"][1]
    match alter:
        case "word":
            s["expect"][0]["word"] = "zzqx"
            name = f"trace {t['name']!r} step {t['steps'].index(s)}"
        case "kind":
            s["expect"][0]["kind"] = "next" if s["expect"][0]["kind"] == "completion" else "completion"
            name = f"trace {t['name']!r} step {t['steps'].index(s)}"
        case "corrected":
            s["expect"][0]["corrected"] = not s["expect"][0]["corrected"]
            name = f"trace {t['name']!r} step {t['steps'].index(s)}"
        case "score":
            s["expect"][0]["score"] -= 1.5 * tol["score"]
            name = f"trace {t['name']!r} step {t['steps'].index(s)}"
        case "topk_id":
            step["top_k"][0][0][0] = _unrecorded(step["top_k"][0])
            name = f"step {step['name']!r}"
        case "topk_logprob":
            step["top_k"][0][2][1] += 1.5 * tol["logprob"]
            name = f"step {step['name']!r}"
        case "state":
            step["state_sample"][0][3] += 1.5 * tol["state"]
            name = f"step {step['name']!r}"
        case "tokenizer":
            bad["tokenizer"][5]["ids"][0] += 1
            name = f"tokenizer {bad['tokenizer'][5]['name']!r}"
        case "context":
            c = next(c for c in bad["context"] if c["units"])
            c["units"][-1] += "x"
            name = f"context {c['name']!r}"
    failures = _failures(tiny_bundle, bad)
    assert failures, f"altering {alter} went unnoticed"
    assert all(f.startswith(case_prefix) for f in failures), failures
    assert any(f.startswith(name) and says in f for f in failures), (name, failures)


def test_a_top_k_id_swapped_for_an_unlikely_one_fails(tiny_bundle, kit):
    bad = copy.deepcopy(kit)
    case = bad["step"][0]
    top = case["top_k"][0]
    unlikely, real = _unrecorded(top), top[0][0]
    top[0][0] = unlikely
    failures = _failures(tiny_bundle, bad)
    assert any(f"logprob of id {unlikely}" in f for f in failures), failures
    assert any(f"top-{len(top)} id {real}" in f for f in failures), failures  # the real best id is now unrecorded


def test_within_tolerance_passes(tiny_bundle, kit):
    ok = copy.deepcopy(kit)
    _, s = _first_step_with_words(ok)
    s["expect"][0]["score"] += 0.5 * ok["tolerances"]["score"]
    ok["step"][1]["top_k"][0][0][1] -= 0.5 * ok["tolerances"]["logprob"]
    assert check_kit(tiny_bundle, ok).ok


def test_a_kit_for_another_bundle_is_refused(tiny_bundle, kit):
    other = copy.deepcopy(kit)
    other["bundle"]["sha256"]["model.tflite"] = "0" * 64
    with pytest.raises(ConformanceError, match="another bundle"):
        check_kit(tiny_bundle, other)


def test_read_kit_refuses_what_is_not_a_kit(tmp_path, kit):
    (tmp_path / "a.json").write_text("{not json")
    with pytest.raises(ConformanceError, match="not a JSON kit"):
        read_kit(tmp_path / "a.json")
    newer = dict(kit, format_version=FORMAT_VERSION + 1)
    write_kit(newer, tmp_path / "b.json")
    with pytest.raises(ConformanceError, match="format_version"):
        read_kit(tmp_path / "b.json")
    write_kit({k: v for k, v in kit.items() if k != "traces"}, tmp_path / "c.json")
    with pytest.raises(ConformanceError, match="traces"):
        read_kit(tmp_path / "c.json")


def test_blocklist_trace_blocks_the_word_unless_typed_in_full(kit):
    traces = {t["name"]: t for t in kit["traces"]}
    blocked, control = traces["blocklist"], traces["blocklist-control"]
    word = blocked["blocked"][0]
    shown = [[e["word"].lower() for e in s["expect"]] for s in blocked["steps"]]
    assert all(word not in words for words in shown[:-1]), shown
    assert word in shown[-1]  # typed in full, it is offered
    assert word in [e["word"].lower() for e in control["steps"][0]["expect"]]


# ------------------------------------------------------------- the strip rule

def _s(word, score, kind="completion", corrected=False):
    return {"word": word, "score": score, "kind": kind, "corrected": corrected}


EXPECT = [_s("the", -1.0), _s("then", -1.05), _s("that", -3.0)]


@pytest.mark.parametrize("got, alternates, ok", [
    (EXPECT, [], True),
    ([_s("then", -1.04), _s("the", -1.01), _s("that", -3.0)], [], True),  # a near-tie may swap
    ([_s("that", -1.0), _s("the", -1.0), _s("then", -1.05)], [], False),  # scores moved too far
    ([_s("the", -1.0), _s("that", -3.0), _s("then", -3.01)], [], False),  # 'then' moved beyond tolerance
    ([_s("the", -1.0), _s("then", -1.05), _s("this", -3.02)], [_s("this", -3.02)], True),  # last slot: close race
    ([_s("the", -1.0), _s("then", -1.05), _s("those", -3.02)], [_s("this", -3.02)], False),  # not an alternate
    ([_s("the", -1.0), _s("this", -3.02), _s("that", -3.0)], [_s("this", -3.02)], False),  # 'then' far above 'this'
    ([_s("the", -1.0), _s("then", -1.05)], [], False),  # a word short
    ([_s("the", -1.0, kind="next"), _s("then", -1.05), _s("that", -3.0)], [], False),
    ([_s("the", -1.0, corrected=True), _s("then", -1.05), _s("that", -3.0)], [], False),
])
def test_strip_rule(got, alternates, ok):
    failures = check_strip("trace 'x' step 0", EXPECT, alternates, got, tol=0.05)
    assert (not failures) == ok, failures


def test_order_is_checked_only_beyond_twice_the_tolerance():
    expect = [_s("a", -1.0), _s("b", -1.2)]
    swapped = [_s("b", -1.12), _s("a", -1.08)]  # each moved by 0.08
    assert not check_strip("c", expect, [], swapped, tol=0.1)
    failures = check_strip("c", expect, [], swapped, tol=0.09)  # 0.2 apart > 2 x 0.09
    assert any("order" in str(f) for f in failures), failures


# ----------------------------------------------------------------------- CLI

def test_cli_writes_and_checks_a_kit(tiny_bundle, tmp_path, capsys):
    out = tmp_path / "kit.json"
    assert main(["conformance", str(tiny_bundle), "--out", str(out)]) == 0
    assert "wrote" in capsys.readouterr().out
    assert main(["conformance", str(tiny_bundle), "--check", str(out)]) == 0
    assert capsys.readouterr().out.startswith("PASS")
    bad = json.loads(out.read_text(encoding="utf-8"))
    t, s = _first_step_with_words(bad)
    s["expect"][0]["word"] = "zzqx"
    out.write_text(json.dumps(bad), encoding="utf-8")
    assert main(["conformance", str(tiny_bundle), "--check", str(out)]) == 2
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("FAIL: ") and "trace" in lines[0]
    assert any(f"trace {t['name']!r}" in line and "zzqx" in line for line in lines[1:]), lines


def test_cli_refuses_a_kit_of_another_bundle_in_one_line(tiny_bundle, kit, tmp_path, capsys):
    other = copy.deepcopy(kit)
    other["bundle"]["pieces_sha256"] = "f" * 64
    write_kit(other, tmp_path / "k.json")
    assert main(["conformance", str(tiny_bundle), "--check", str(tmp_path / "k.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nextkey conformance: error:") and "another bundle" in err and len(err.splitlines()) == 1


def test_the_kit_module_never_imports_tensorflow(tiny_bundle, tmp_path):
    code = (
        "import sys\n"
        "from nextkey.engine.conformance import make_kit, check_kit\n"
        f"kit = make_kit({str(tiny_bundle)!r})\n"
        f"assert check_kit({str(tiny_bundle)!r}, kit).ok\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')]\n"
        "assert not bad, bad\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and "ok" in out.stdout, out.stderr[-2000:]


# --------------------------------------------------------- the shipped kit

@pytest.mark.skipif(not (DEFAULT_BUNDLE / "manifest.json").exists(), reason="no default bundle installed")
def test_the_shipped_kit_passes_against_the_default_bundle():
    """The kit shipped beside the default bundle still describes the engine.

    This fails whenever the engine's behaviour (decoder, casing, lexicon,
    slips, context rules) or the default bundle changes without the kit being
    regenerated. That is intended: ports check themselves against this file.
    After a deliberate change, regenerate it and commit it with the change:

        nextkey conformance --out engine/conformance/default.json
    """
    kit = read_kit(DEFAULT_KIT)
    report = check_kit(DEFAULT_BUNDLE, kit)
    assert report.ok, (report.summary() + "\n" + "\n".join(map(str, report.failures[:10]))
                       + "\nregenerate: nextkey conformance --out engine/conformance/default.json")
    # It was made with the engine's current defaults, so a port that copies them matches.
    assert kit_settings(kit["engine"]) == Engine.load().settings, "regenerate the kit: the engine settings changed"


def test_the_german_kit_passes_against_the_shipped_german_bundle():
    """The German bundle's kit (German traces added: nouns, folding, abbreviations, QWERTZ
    slips, compounds). Regenerate after a deliberate change:

        nextkey conformance engine/bundles/de --out engine/conformance/de.json
    """
    from nextkey.engine.engine import SHIPPED_BUNDLES

    kit = read_kit(DEFAULT_KIT.parent / "de.json")
    assert {"de-nouns", "de-folding", "de-sentence-rule", "de-qwertz-slips", "de-compounds"} <= \
        {t["name"] for t in kit["traces"]}
    report = check_kit(SHIPPED_BUNDLES / "de", kit)
    assert report.ok, (report.summary() + "\n" + "\n".join(map(str, report.failures[:10]))
                       + "\nregenerate: nextkey conformance engine/bundles/de --out engine/conformance/de.json")
    compounds = next(t for t in kit["traces"] if t["name"] == "de-compounds")
    assert "Passwortverwaltung" in [s["word"] for s in compounds["steps"][0]["expect"]], compounds["steps"][0]


@pytest.mark.skipif(not DEFAULT_KIT.exists(), reason="no shipped kit")
def test_the_shipped_kit_covers_what_ports_get_wrong():
    kit = read_kit(DEFAULT_KIT)
    assert kit["cross_check"]["failures"] == []
    steps = {(t["name"], s["text"]): s["expect"] for t in kit["traces"] for s in t["steps"]}
    words = {key: [e["word"] for e in found] for key, found in steps.items()}
    assert any(e["corrected"] for found in steps.values() for e in found), "no typo correction"
    assert {e["kind"] for found in steps.values() for e in found} == {"next", "completion"}
    assert all(w[:1].isupper() for w in words[("sentence-starts", "Hello there. ")])
    assert all(w.isupper() for w in words[("all-caps", "THANK YO")])
    assert "I" in words[("pronoun-I", "i")]
    assert all("’" in w for w in words[("apostrophes-curly", "I don’")])
    names = {c["name"] for c in kit["tokenizer"]}
    assert {"emoji", "cyrillic", "apostrophe-curly", "accents-nfd", "digits"} <= names
