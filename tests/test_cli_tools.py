"""The installed CLI's own-model path: build, export's early checks, bench, eval --compare,
default report folders, suggest with the user's memory, and no native log lines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from nextkey.cli.main import main
from nextkey.engine.memory import MemoryConfig, UserMemory

REPO = Path(__file__).resolve().parents[1]


def _first_sentences(path: Path, n: int) -> Path:
    out = path.parent / f"first-{n}-{path.name}"
    out.write_text("\n".join(path.read_text().splitlines()[:n]) + "\n")
    return out


# --- defaults never write into the repository or the package --------------------------------

def test_report_folders_default_to_the_users_data_folder(tmp_path):
    from nextkey.evaluate.stats import default_report_dir

    for command in ("eval", "bench", "sweep"):
        d = default_report_dir(command)
        assert d == tmp_path / "xdg-data" / "nextkey" / "reports" / command  # conftest's XDG_DATA_HOME
        assert REPO not in d.parents


def test_eval_without_out_writes_to_the_user_folder_not_the_current_one(tiny_bundle, tiny_corpus, tmp_path,
                                                                       monkeypatch, capsys):
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    text = _first_sentences(tiny_corpus / "test.txt", 4)
    assert main(["eval", str(tiny_bundle), "--text", str(text), "--max-sentences", "4", "--noise", "0"]) == 0
    assert (tmp_path / "xdg-data" / "nextkey" / "reports" / "eval" / "eval.json").is_file()
    assert list(work.iterdir()) == []
    assert "wrote" in capsys.readouterr().out


def test_bench_measures_an_accepting_typist_load_time_and_rss(tiny_bundle, tiny_corpus, tmp_path, monkeypatch,
                                                             capsys):
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    text = _first_sentences(tiny_corpus / "test.txt", 3)
    assert main(["bench", str(tiny_bundle), "--text", str(text), "--max-sentences", "3", "--loads", "1",
                 "--no-presage"]) == 0
    out = capsys.readouterr().out
    report = json.loads((tmp_path / "xdg-data" / "nextkey" / "reports" / "bench" / "bench.json").read_text())
    typing = report["typing"]
    assert typing["keystrokes"] > 0 and typing["sentences"] == 3
    assert set(typing["nextkey"]) >= {"next", "all"} and typing["nextkey"]["all"]["count"] > 0
    assert report["load"]["load_s_median"] > 0 and report["load"]["peak_rss_mb"] > 10
    assert "presage skipped" in report["presage"]
    assert "Engine.load" in out and "p99" in out
    assert list(work.iterdir()) == []


def test_bench_of_a_missing_text_is_one_line(tiny_bundle, tmp_path, capsys):
    assert main(["bench", str(tiny_bundle), "--text", str(tmp_path / "none.txt"), "--out", str(tmp_path / "b")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_sweep_report_only_without_a_sweep_is_one_line(tmp_path, capsys):
    assert main(["sweep", "--report-only", "--out", str(tmp_path / "s")]) == 2
    assert "run the sweep first" in capsys.readouterr().err


# --- eval --compare labels rows by bundle -------------------------------------------------------

def test_compare_rows_are_labelled_by_bundle_name():
    from nextkey.evaluate.run import row_labels, summary_table

    rows = [{"name": "mine-int8", "path": "/b/mine", "quantization": "int8"},
            {"name": "default-int8", "path": "/b/default", "quantization": "int8"}]
    assert row_labels(rows) == ["mine-int8", "default-int8"]
    same = [{"name": "x", "path": "/a/one"}, {"name": "x", "path": "/a/two"}]
    assert row_labels(same) == ["one", "two"]  # the folder tells them apart

    typing = {"3": {"ksr": 0.5, "next_word_top1": 0.2, "next_word_top3": 0.3, "non_word_share": 0.0,
                    "repeated_strips": 0}}
    main_row = {**rows[0], "size_bytes": 1_500_000, "typing": typing}
    report = {"summary": {"ksr": {"3": 0.5}, "next_word_top1": 0.2, "next_word_top3": 0.3,
                          "perplexity_per_word": 100.0, "non_word_share": 0.0, "repeated_strips": 0},
              "bundle": main_row, "text": {"path": "t", "sentences": 1, "characters": 10},
              "compare": [{**rows[1], "size_bytes": 2_800_000, "typing": typing}]}
    table = summary_table(report)
    assert "mine-int8" in table.splitlines()[-2] and "default-int8" in table.splitlines()[-1]


# --- suggest uses what the user taught ---------------------------------------------------------

def test_suggest_with_memory_offers_a_learned_word(tiny_bundle, tmp_path, capsys):
    store = tmp_path / "memory.db"
    mem = UserMemory(MemoryConfig(path=store))
    mem.learn_text("Meet me at Zorblatt. We like Zorblatt. Zorblatt is near.")
    mem.save()
    mem.close()
    assert main(["suggest", "Meet me at Zor", "--bundle", str(tiny_bundle)]) == 0
    assert "Zorblatt" not in capsys.readouterr().out  # the model alone does not know it
    assert main(["suggest", "Meet me at Zor", "--bundle", str(tiny_bundle), "--store", str(store)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines()[0].split("\t")[0] == "Zorblatt"
    assert "learned words used" in captured.err


def test_suggest_memory_reads_the_default_store(tiny_bundle, capsys):
    mem = UserMemory(MemoryConfig())  # the XDG store (conftest points XDG_DATA_HOME at a temporary folder)
    mem.learn_text("Quuxifying is what we do. Quuxifying again.")
    mem.save()
    mem.close()
    assert main(["suggest", "We like Quux", "--bundle", str(tiny_bundle), "--memory"]) == 0
    assert "Quuxifying" in capsys.readouterr().out


# --- no native log line ------------------------------------------------------------------------

def test_no_litert_info_line_on_stderr(tiny_bundle):
    done = subprocess.run([sys.executable, "-m", "nextkey.cli.main", "suggest", "I would like to ",
                           "--bundle", str(tiny_bundle)], capture_output=True, text=True, timeout=120,
                          env={k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"})
    assert done.returncode == 0, done.stderr
    assert "XNNPACK" not in done.stderr and "INFO:" not in done.stderr
    assert done.stderr.startswith("# ")  # only the timing line


def test_engine_settings_and_slip_config_import_from_the_package():
    from nextkey.engine import EngineSettings, SlipConfig

    assert EngineSettings().slips == SlipConfig()


# --- export checks its output first ------------------------------------------------------------

EXPORT_WITHOUT_TENSORFLOW = textwrap.dedent("""
    import sys

    class BlockTensorFlow:
        def find_spec(self, name, path=None, target=None):
            if name.partition(".")[0] in {"tensorflow", "keras"}:
                raise ImportError(f"{name} is blocked in this test")
            return None

    sys.meta_path.insert(0, BlockTensorFlow())
    from nextkey.cli.main import main
    sys.exit(main(["export", sys.argv[1], "--out", sys.argv[2]]))
""")


def test_export_to_an_existing_folder_fails_before_loading_tensorflow(tiny_run, tmp_path):
    existing = tmp_path / "bundle"
    existing.mkdir()
    done = subprocess.run([sys.executable, "-c", EXPORT_WITHOUT_TENSORFLOW, str(tiny_run), str(existing)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "exists: pass --force" in done.stderr and "Traceback" not in done.stderr


def test_export_of_a_folder_that_is_not_a_run_is_one_line(tmp_path, capsys):
    assert main(["export", str(tmp_path), "--out", str(tmp_path / "b")]) == 2
    assert "not a training run" in capsys.readouterr().err


# --- one command: your text -> corpus, run, bundle, evaluation ------------------------------------

def test_build_makes_a_bundle_from_hard_wrapped_text_and_evaluates_it(tmp_path):
    from conftest import make_sentences
    from nextkey.export.lexicon import LexiconConfig
    from nextkey.train.build import BuildConfig, build
    from nextkey.train.run_dir import TrainError

    paragraphs = [" ".join(make_sentences(6, seed=i)) for i in range(300)]
    wrapped = "\n\n*****\n\n".join(textwrap.fill(p, 72) for p in paragraphs)
    src = tmp_path / "mine.txt"
    src.write_text(wrapped + "\n")
    cfg = BuildConfig(sources=(str(src),), out_dir=tmp_path / "out", minutes=0.3, reserve_minutes=0.25,
                      preset="tiny", eval_sentences=10, lexicon=LexiconConfig.tiny())
    r = build(cfg)
    assert Path(r["folders"]["bundle"], "manifest.json").is_file()
    assert Path(r["folders"]["eval"], "eval.json").is_file()
    assert 0 <= r["ksr"]["3"] <= 1 and r["steps"] > 0
    corpus = Path(r["folders"]["corpus"], "train.txt").read_text().splitlines()
    assert "*****" not in corpus and all(s.endswith(".") or s.endswith("!") or s.endswith("?") for s in corpus)
    with pytest.raises(TrainError, match="--force"):
        build(cfg)  # an earlier build is never overwritten unasked


def test_build_refuses_a_budget_with_no_time_to_train(tmp_path):
    from nextkey.train.build import BuildConfig

    with pytest.raises(ValueError, match="leaves no time to train"):
        BuildConfig(sources=("x",), out_dir=tmp_path, minutes=1.0)


def test_export_never_replaces_a_folder_that_is_not_a_bundle(tmp_path, capsys):
    """A newcomer's trial: `export --force` deleted a folder of notes; `--out FILE` failed after all the work."""
    from nextkey.cli.main import main
    from nextkey.export.convert import check_output_folder
    from nextkey.engine.errors import BundleError

    notes = tmp_path / "existing"
    notes.mkdir()
    (notes / "notes.txt").write_text("mine")
    run = tmp_path / "run"
    run.mkdir()
    (run / "model_config.json").write_text("{}")
    assert main(["export", str(run), "--out", str(notes), "--force"]) == 2
    assert "holds no bundle" in capsys.readouterr().err and (notes / "notes.txt").read_text() == "mine"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    assert main(["export", str(run), "--out", str(victim), "--force"]) == 2
    assert "is a file" in capsys.readouterr().err and victim.read_text() == "keep"
    with pytest.raises(BundleError, match="holds no bundle"):
        check_output_folder(notes, force=True)
    (tmp_path / "empty").mkdir()
    check_output_folder(tmp_path / "empty", force=True)  # an empty folder may be filled


def test_build_refuses_a_text_too_small_to_hold_out_before_training(tmp_path, capsys):
    """A newcomer's trial: 20 KB trained fully, then failed at the evaluation (no test sentences)."""
    from nextkey.cli.main import main

    text = tmp_path / "small.txt"
    text.write_text("\n".join(f"This is sentence number {w} of a very small text." for w in
                              ["one", "two", "three", "four", "five"] * 30))
    assert main(["build", str(text), "--out", str(tmp_path / "out"), "--minutes", "3"]) == 2
    err = capsys.readouterr().err
    assert "too few to hold out" in err and "nothing was trained" in err
    assert not (tmp_path / "out" / "run").exists() and not (tmp_path / "out" / "bundle").exists()


def test_a_sweep_candidate_cut_short_resumes_only_its_own_run(tmp_path):
    """A sweep spans sessions: a candidate whose run folder holds a checkpoint of the same
    shape and planned steps continues from it; any other folder starts over."""
    from nextkey.train.sweep import _same_run

    shape = {"vocab_size": 8000, "embed_dim": 128, "hidden_dim": 384, "num_layers": 1}
    run = tmp_path / "sweep-V8k"
    run.mkdir()
    assert not _same_run(run, shape, 900)  # nothing there
    (run / "model_config.json").write_text(json.dumps({**shape, "dropout": 0.1}))
    (run / "train_config.json").write_text(json.dumps({"max_steps": 900}))
    assert not _same_run(run, shape, 900)  # no checkpoint yet
    (run / "ckpt-500.npz").write_bytes(b"")
    assert _same_run(run, shape, 900)
    assert not _same_run(run, shape, 1200)  # another budget
    assert not _same_run(run, {**shape, "hidden_dim": 512}, 900)  # another shape
    (run / "train_config.json").write_text("{not json")
    assert not _same_run(run, shape, 900)


def test_a_sweep_run_one_candidate_at_a_time_keeps_the_earlier_ones(tmp_path, monkeypatch):
    """A 45-minute-per-shape sweep spans sessions, one --only candidate at a time: a later run
    keeps the earlier runs' probes and finished candidates (same settings) and probes only
    the new one."""
    from dataclasses import replace

    from conftest import make_sentences, write_corpus
    from nextkey.train import sweep as sw

    corpus = write_corpus(tmp_path / "corpus", n_train=400)
    (corpus / "heldout.txt").write_text("\n".join(make_sentences(20, 9)) + "\n")
    (corpus / "corpus.json").write_text(json.dumps({"sources": ["made-up"]}))
    base = sw.SweepConfig.tiny(corpus, tmp_path / "runs", tmp_path / "out")
    probed = []
    monkeypatch.setattr(sw, "probe", lambda cfg, c: probed.append(c.name) or {"tokens_per_second": 2000.0,
                                                                             "clean": True, "windows": []})
    measured = {"ksr": 0.5, "perplexity_per_word": 100.0, "latency_ms": {"p50": 1.0}}
    monkeypatch.setattr(sw, "run_candidate", lambda cfg, c, p, sets: {
        "name": c.name, "made": len(probed), "bundle_bytes": 1e6, "in_domain": measured, "held_out": measured})
    monkeypatch.setattr(sw, "write_report", lambda results, out: None)
    first, second = base.candidates
    sw.sweep(replace(base, candidates=(first,)))
    results = sw.sweep(replace(base, candidates=(second,)))
    assert probed == [first.name, second.name]  # the first one's probe was kept
    assert set(results["candidates"]) == {first.name, second.name}
    assert results["candidates"][first.name]["made"] == 1
