// The decoder's batch cap (DecoderConfig::batch) swept over one typist script, in one process:
//   batch_sweep BUNDLE_DIR SCRIPT CAP [CAP...]
// SCRIPT is typist_bench's (bench/native_bench.py --sweep writes it). One engine per cap; the
// script's sentences are replayed through each engine in turn (sentence by sentence, so the
// machine's load falls on every cap alike). Per cap: the model calls, rows and thread CPU time of
// each suggestions() call, and how many strips differ from the first cap's (words, kinds, flags,
// or scores, compared bit for bit: batching must change no number). Prints one JSON object.
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine.h"

namespace {
double thread_cpu_ms() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

template <class T>
nlohmann::json spread(std::vector<T> v) {
  std::sort(v.begin(), v.end());
  double sum = 0;
  for (T x : v) sum += double(x);
  return {{"total", sum}, {"mean", sum / double(v.size())}, {"p50", v[v.size() / 2]},
          {"p99", v[std::min(v.size() - 1, v.size() * 99 / 100)]}, {"max", v.back()}};
}

struct Run {
  int cap;
  std::unique_ptr<nextkey::Engine> engine;
  std::vector<long> calls, rows;
  std::vector<double> cpu_ms;
  std::vector<std::vector<nextkey::Suggestion>> strips;
};
}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) return std::fprintf(stderr, "usage: batch_sweep BUNDLE_DIR SCRIPT CAP [CAP...]\n"), 2;
  std::ifstream in(argv[2]);
  if (!in) return std::fprintf(stderr, "batch_sweep: cannot read %s\n", argv[2]), 2;
  std::vector<std::vector<std::string>> sentences;  // the script cut at each N
  for (std::string line; std::getline(in, line);) {
    if (line.empty()) continue;
    if (line[0] == 'N') sentences.emplace_back();
    else if (!sentences.empty()) sentences.back().push_back(line);
  }
  nextkey::EngineSettings base = nextkey::Engine(argv[1]).settings;
  std::vector<Run> runs;
  for (int i = 3; i < argc; ++i) {
    nextkey::EngineSettings s = base;
    s.decoder.batch = std::atoi(argv[i]);
    runs.push_back(Run{s.decoder.batch, std::make_unique<nextkey::Engine>(argv[1], &s), {}, {}, {}, {}});
  }
  for (const auto& ops : sentences)
    for (Run& run : runs) {
      auto session = run.engine->session();
      for (const std::string& op : ops) {
        nextkey::u32 arg = nextkey::from_utf8(op.substr(1));
        if (op[0] == 'T') session->type(arg);
        else if (op[0] == 'A') session->accept(arg);
        else if (op[0] == 'Q') {
          long c0 = session->runner().calls, r0 = session->runner().rows;
          double t0 = thread_cpu_ms();
          run.strips.push_back(session->suggest(std::stoi(op.substr(1))));
          run.cpu_ms.push_back(thread_cpu_ms() - t0);
          run.calls.push_back(session->runner().calls - c0);
          run.rows.push_back(session->runner().rows - r0);
        }
      }
    }
  nlohmann::json out = nlohmann::json::array();
  for (const Run& run : runs) {
    long differ = 0;
    for (size_t i = 0; i < run.strips.size(); ++i) {
      const auto &a = run.strips[i], &b = runs[0].strips[i];
      bool same = a.size() == b.size();
      for (size_t j = 0; same && j < a.size(); ++j)
        same = a[j].word == b[j].word && a[j].score == b[j].score && a[j].kind == b[j].kind &&
               a[j].corrected == b[j].corrected;
      differ += !same;
    }
    out.push_back({{"batch", run.cap}, {"keystrokes", run.strips.size()}, {"calls", spread(run.calls)},
                   {"rows", spread(run.rows)}, {"thread_cpu_ms", spread(run.cpu_ms)},
                   {"strips_differ_from_first", differ}});
  }
  std::printf("%s\n", out.dump(1).c_str());
}
