#!/usr/bin/env bash
# Issue 23: every figure of a finished long training run, in one go, into reports/long_run/.
#
#   bash bench/long_run_finish.sh [RUN]      # RUN: the run folder (default: the 8-hour run)
#
# Steps (each a command documented on its own; about an hour on this 2-core machine, so run it
# with nohup when nothing else trains: `nohup bash bench/long_run_finish.sh > reports/long_run/finish.log 2>&1 &`):
#   1. export RUN as an int8 bundle into RUN/bundle-int8 (nextkey export; lexicon included)
#   2. the learning curve's last point (bench/learning_curve.py --ksr, valid split)
#   3. nextkey eval on the in-domain test split (300 sentences, as the README's figures) and on
#      the conversational slice (1,000 sentences, noise 0, as reports/conversational_before)
#   4. the presage comparison, in-domain and on the held-out e-mail: nextkey's rows added to the
#      tables that hold presage's (trained on the same text as the model, corpus-v3's train split,
#      its database in runs/presage-v3; typed 2026-11-30: 0.506 / 0.417; compare_presage keeps the
#      other engines' rows of a table). PRESAGE=1 types presage again too (about 40 minutes more)
#   5. the ablation's four rows (bench/ablation_sources.py; the latency columns are only
#      comparable on a quiet machine: the load average is recorded)
#   6. nextkey bench on the new bundle: the accepting typist's latency, Engine.load time and peak
#      RSS in fresh processes (issue 23's bars: load <= 0.5 s, RSS <= 120 MB; quiet machine only)
# It stops at the first failing step (set -e); a step's outputs are written as it ends.
set -euo pipefail
cd "$(dirname "$0")/.."
RUN=${1:-$HOME/.cache/nextkey/runs/long-V8k-E128-H384-L1}
SWEEP=${SWEEP:-$HOME/.cache/nextkey/runs/sweep45/sweep-V8k-E128-H384-L1}
OUT=reports/long_run
B=$RUN/bundle-int8
[ -f "$RUN/report.json" ] || { echo "$RUN has no report.json: the run has not finished (resume it: docs/model-selection.md)" >&2; exit 2; }
CORPUS=$(cat "$RUN/corpus_dir.txt")
mkdir -p "$OUT"
export TF_CPP_MIN_LOG_LEVEL=2

step() { echo; echo "== $(date -u +%H:%M:%S) $*"; }

step "1. export"
nextkey export "$RUN" --quantize int8 --out "$B" --force

step "2. learning curve"
refs=()
[ -d "$SWEEP" ] && refs=(--ref "45-min sweep (annealed)=$SWEEP")
python bench/learning_curve.py "$RUN" --ksr "${refs[@]}" --text "$CORPUS/valid.txt" --out "$OUT/learning_curve"

step "3. nextkey eval: in-domain, conversational"
nextkey eval "$B" --text data/corpus/test.txt --max-sentences 300 --out "$OUT/eval"
nextkey eval "$B" --text "$CORPUS/heldout.txt" --max-sentences 1000 --noise 0 --out "$OUT/conversational"

step "4. presage comparison (presage trained on $CORPUS/train.txt)"
engines=(nextkey)
[ "${PRESAGE:-0}" = 1 ] && engines=(presage-trained nextkey)
python bench/compare_presage.py --engines "${engines[@]}" --bundle "$B" --train "$CORPUS/train.txt" \
    --db-dir runs/presage-v3 --max-sentences 300 --no-ignore-case-column --out "$OUT/compare_presage.json"
python bench/compare_presage.py --engines "${engines[@]}" --bundle "$B" --train "$CORPUS/train.txt" \
    --db-dir runs/presage-v3 --max-sentences 300 --no-ignore-case-column \
    --text data/heldout-email/heldout.txt --out "$OUT/compare_presage_email.json"

step "5. ablation"
python bench/ablation_sources.py --row "GRU alone=shipped" --row "+ phrase source=shipped+data/corpus" \
    --row "longer-trained=$B" --row "both=$B+$CORPUS" \
    --text in-domain=data/corpus/test.txt --text e-mail=data/heldout-email/heldout.txt \
    --sentences 150 --out "$OUT/ablation_sources"

step "6. latency, load time, RSS"
nextkey bench "$B" --text data/corpus/test.txt --no-presage --out "$OUT/bench"

step "done: $OUT"
