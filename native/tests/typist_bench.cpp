// The native half of bench/native_bench.py: replays a typist's keystrokes through the C API
// (include/nextkey.h, libnextkey.so: what an app links) and times each one.
//
//   typist_bench BUNDLE_DIR SCRIPT [PREFETCH]
//
// SCRIPT has one operation a line, written by bench/native_bench.py from the Python typist's run:
//   N          a new session (one per sentence)
//   T<chars>   nk_session_type (the rest of the line, as is)
//   A<word>    nk_session_accept
//   B          nk_session_backspace(1)
//   Q<n>       nk_session_suggestions(n): timed
//   L          nk_session_set_learning(1) (tests/test_native.py: learning while typing)
//   E<text>    nk_engine_learn (the rest of the line)
//   X<path>    nk_engine_memory_export; M<path> nk_engine_memory_import (prints "M", then the words,
//              pairs, blocked merged and skipped); F<word> nk_engine_forget (prints "F" and found);
//              W nk_engine_memory_wipe; K<word> nk_engine_block; U<word> nk_engine_unblock. A failing
//              one of these prints "ERR", the op, the status and nk_last_error(), and the script goes on
// Prints, tab-separated: "load_ms", "rss_kb" lines (VmRSS from /proc/self/status after the load and
// after the first suggestions), then for each Q: "Q", the ms its edits took (the T/A since the last
// Q), the ms nk_session_suggestions took (wall clock, then this thread's CPU time), the model calls
// and rows it ran (nk_session_model_steps), then word, score, kind, corrected per suggestion; at
// the end "rss_kb end" and "hwm_kb" (the peak). Exits 1 with nk_last_error() when a call fails.
// PREFETCH (default 0): after each Q, the idle time a typist leaves before the next key is given to
// nk_session_prefetch one guess at a time, PREFETCH guesses at most; a "P" line follows the Q
// with the guesses computed, their wall ms, and the model calls and rows they ran. ASK_ALL (default
// 0; 1: on): an app shows suggestions after every keystroke, the typist looks only before a
// letter it might not type (a word's last letter is followed by its space or punctuation unlooked):
// with it, an edit that follows an edit with no Q between gets an untimed suggestions call first
// (and, with PREFETCH, its idle prefetch), as in an app; the Q lines are the same keystrokes.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <time.h>

#include "nextkey.h"

namespace {
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) { return std::chrono::duration<double, std::milli>(Clock::now() - t0).count(); }

// This thread's CPU time in ms: what a keystroke cost when the machine's other work preempts it.
double thread_cpu_ms() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) / 1e6;
}

// A field of /proc/self/status in kB ("VmRSS", "VmHWM"), or a count ("Threads").
long status_field(const char* name) {
  std::ifstream f("/proc/self/status");
  std::string line, key = std::string(name) + ":";
  while (std::getline(f, line))
    if (line.compare(0, key.size(), key) == 0) return std::strtol(line.c_str() + key.size(), nullptr, 10);
  return -1;
}

int die(const char* what) {
  std::fprintf(stderr, "typist_bench: %s: %s\n", what, nk_last_error());
  return 1;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || argc > 5)
    return std::fprintf(stderr, "usage: typist_bench BUNDLE_DIR SCRIPT [PREFETCH [ASK_ALL]]\n"), 2;
  const size_t prefetch = argc >= 4 ? std::strtoul(argv[3], nullptr, 10) : 0;
  const bool ask_all = argc == 5 && std::strtoul(argv[4], nullptr, 10) != 0;
  std::ifstream script(argv[2]);
  if (!script) return std::fprintf(stderr, "typist_bench: cannot read %s\n", argv[2]), 2;

  auto t0 = Clock::now();
  nk_engine* engine = nullptr;
  if (nk_engine_open(argv[1], &engine) != NK_OK) return die("nk_engine_open");
  std::printf("load_ms\t%.3f\n", ms_since(t0));
  std::printf("rss_kb\tafter_load\t%ld\n", status_field("VmRSS"));

  nk_suggestion out[100];
  size_t count = 0;
  {  // the first suggestions make the model's buffers, as the Python bench's engine.suggest("") does
    nk_session* warm = nullptr;
    if (nk_session_new(engine, &warm) != NK_OK) return die("nk_session_new");
    if (nk_session_suggestions(warm, 3, out, &count) != NK_OK) return die("nk_session_suggestions");
    nk_session_free(warm);
  }
  std::printf("rss_kb\tafter_first_suggestions\t%ld\n", status_field("VmRSS"));
  std::printf("threads\t%ld\n", status_field("Threads"));

  nk_session* session = nullptr;
  double edit_ms = 0;
  bool edited = false;  // an edit since the last suggestions call
  // The idle time after a strip is shown: prefetch up to `prefetch` guesses, one at a time.
  auto idle = [&](size_t n, bool report) -> bool {
    unsigned long calls0, rows0, calls, rows;
    size_t guesses = 0, done = 0;
    nk_session_model_steps(session, &calls0, &rows0);
    auto t = Clock::now();
    do {
      if (nk_session_prefetch(session, n, 1, &done) != NK_OK) return false;
      guesses += done;
    } while (done && guesses < prefetch);
    double pms = ms_since(t);
    nk_session_model_steps(session, &calls, &rows);
    if (report) std::printf("P\t%zu\t%.4f\t%lu\t%lu\n", guesses, pms, calls - calls0, rows - rows0);
    return true;
  };
  size_t last_n = 3;
  std::string line;
  while (std::getline(script, line)) {
    if (line.empty()) continue;
    const char op = line[0];
    const std::string arg = line.substr(1);
    if (op == 'N') {
      nk_session_free(session);
      session = nullptr;
      if (nk_session_new(engine, &session) != NK_OK) return die("nk_session_new");
      edit_ms = 0;
      edited = false;
      continue;
    }
    if (op == 'E') {
      if (nk_engine_learn(engine, arg.c_str()) != NK_OK) return die("nk_engine_learn");
      continue;
    }
    if (op == 'X' || op == 'M' || op == 'F' || op == 'W' || op == 'K' || op == 'U') {  // the user memory's calls
      nk_status st = NK_OK;
      size_t counts[4] = {0, 0, 0, 0};
      int found = 0;
      if (op == 'X') st = nk_engine_memory_export(engine, arg.c_str());
      if (op == 'M') st = nk_engine_memory_import(engine, arg.c_str(), counts);
      if (op == 'F') st = nk_engine_forget(engine, arg.c_str(), &found);
      if (op == 'W') st = nk_engine_memory_wipe(engine);
      if (op == 'K') st = nk_engine_block(engine, arg.c_str());
      if (op == 'U') st = nk_engine_unblock(engine, arg.c_str());
      if (st != NK_OK)
        std::printf("ERR\t%c\t%d\t%s\n", op, int(st), nk_last_error());
      else if (op == 'M')
        std::printf("M\t%zu\t%zu\t%zu\t%zu\n", counts[0], counts[1], counts[2], counts[3]);
      else if (op == 'F')
        std::printf("F\t%d\n", found);
      continue;
    }
    if (!session) return std::fprintf(stderr, "typist_bench: %c before the first N\n", op), 2;
    if (op == 'L') {
      if (nk_session_set_learning(session, 1) != NK_OK) return die("nk_session_set_learning");
      continue;
    }
    if (ask_all && edited && (op == 'T' || op == 'A' || op == 'B')) {  // the strip an app shows, untimed
      if (nk_session_suggestions(session, last_n, out, &count) != NK_OK) return die("nk_session_suggestions");
      if (prefetch && !idle(last_n, false)) return die("nk_session_prefetch");
    }
    edited = op == 'T' || op == 'A' || op == 'B';
    auto t = Clock::now();
    if (op == 'T') {
      if (nk_session_type(session, arg.c_str()) != NK_OK) return die("nk_session_type");
      edit_ms += ms_since(t);
    } else if (op == 'B') {
      if (nk_session_backspace(session, 1) != NK_OK) return die("nk_session_backspace");
      edit_ms += ms_since(t);
    } else if (op == 'A') {
      if (nk_session_accept(session, arg.c_str()) != NK_OK) return die("nk_session_accept");
      edit_ms += ms_since(t);
    } else if (op == 'Q') {
      unsigned long calls0, rows0, calls, rows;
      nk_session_model_steps(session, &calls0, &rows0);
      t = Clock::now();
      double cpu0 = thread_cpu_ms();
      if (nk_session_suggestions(session, std::strtoul(arg.c_str(), nullptr, 10), out, &count) != NK_OK)
        return die("nk_session_suggestions");
      double ms = ms_since(t), cpu = thread_cpu_ms() - cpu0;
      nk_session_model_steps(session, &calls, &rows);
      std::printf("Q\t%.4f\t%.4f\t%.4f\t%lu\t%lu", edit_ms, ms, cpu, calls - calls0, rows - rows0);
      for (size_t i = 0; i < count; ++i)
        std::printf("\t%s\t%.6f\t%d\t%d", out[i].word, out[i].score, int(out[i].kind), out[i].corrected);
      std::printf("\n");
      edit_ms = 0;
      last_n = std::strtoul(arg.c_str(), nullptr, 10);
      if (prefetch && !idle(last_n, true)) return die("nk_session_prefetch");
    } else {
      return std::fprintf(stderr, "typist_bench: unknown operation %c\n", op), 2;
    }
  }
  std::printf("rss_kb\tend\t%ld\n", status_field("VmRSS"));
  std::printf("hwm_kb\t%ld\n", status_field("VmHWM"));
  nk_session_free(session);
  nk_engine_free(engine);
  return 0;
}
