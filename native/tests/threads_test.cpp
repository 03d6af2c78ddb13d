// Sessions of one engine on several threads, through the C API (include/nextkey.h: "an engine is
// shared by its sessions ... one session per thread"):
//   threads_test BUNDLE_DIR [THREADS] [ROUNDS]
// THREADS sessions type sentences a character at a time with learning on, ask for suggestions
// after every keystroke and accept one now and then, while one more thread learns texts and
// blocks words through the engine. Every call must return NK_OK; afterwards a new session is
// offered the words the sessions and the learner taught (typed twice or more), and not the
// blocked one. Prints "PASS ..." or each failure, exits 0 or 1. Built with
// -DNEXTKEY_SANITIZE=thread (tests/test_native.py), ThreadSanitizer checks the same run for data
// races in the engine's shared state (the user memory, the slip model's memo, the lexicon walk).
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>
#include <unistd.h>

#include "nextkey.h"

namespace {
std::mutex report_lock;
std::atomic<int> failures{0};

bool ok(nk_status st, const char* what) {
  if (st == NK_OK) return true;
  std::lock_guard<std::mutex> g(report_lock);
  std::fprintf(stderr, "FAIL: %s returned %d: %s\n", what, int(st), nk_last_error());
  ++failures;
  return false;
}

const char* const kSentences[] = {
    "I met Zorvan at the Quillby cafe yesterday. ",
    "Zorvan said the weather in Brannoch is lovely. ",
    "We should ask Zorvan about Brannoch tomorrow. ",
    "Thanks for your help with the Quillby order. ",
};

void typist(nk_engine* engine, int id, int rounds) {
  nk_session* s = nullptr;
  if (!ok(nk_session_new(engine, &s), "nk_session_new")) return;
  ok(nk_session_set_learning(s, 1), "nk_session_set_learning");
  nk_suggestion out[3];
  size_t count = 0;
  for (int r = 0; r < rounds; ++r) {
    const char* text = kSentences[(id + r) % 4];
    for (const char* c = text; *c; ++c) {
      char one[2] = {*c, 0};
      if (!ok(nk_session_type(s, one), "nk_session_type")) return;
      if (!ok(nk_session_suggestions(s, 3, out, &count), "nk_session_suggestions")) return;
      size_t done = 0;  // the idle time after a strip, as an app spends it (a guess accepts a shown word)
      if (!ok(nk_session_prefetch(s, 3, 2, &done), "nk_session_prefetch")) return;
    }
    // accept the first suggestion of a fresh word start, as a typist does now and then
    ok(nk_session_type(s, "th"), "nk_session_type");
    if (ok(nk_session_suggestions(s, 3, out, &count), "nk_session_suggestions") && count > 0) {
      std::string word = out[0].word;
      ok(nk_session_accept(s, word.c_str()), "nk_session_accept");
    }
    if (r % 3 == 2) ok(nk_session_set_text(s, ""), "nk_session_set_text");
    ok(nk_session_backspace(s, 1), "nk_session_backspace");
  }
  nk_session_free(s);
}

void learner(nk_engine* engine, int rounds) {
  for (int r = 0; r < rounds; ++r) {
    ok(nk_engine_learn(engine, "Greetings from Vellmora. Vellmora is far from Quillby."), "nk_engine_learn");
    ok(nk_engine_block(engine, "weather"), "nk_engine_block");
    std::this_thread::yield();
  }
}

// The user memory's file calls, on their own thread beside the typists and the learner: an app
// that saves the memory now and then, imports a word list and lets its user forget a word.
void keeper(nk_engine* engine, int rounds, std::string dir) {
  std::string saved = dir + "/memory.json", words = dir + "/words.txt";
  for (int r = 0; r < rounds; ++r) {
    ok(nk_engine_memory_export(engine, saved.c_str()), "nk_engine_memory_export");
    size_t counts[4];
    ok(nk_engine_memory_import(engine, words.c_str(), counts), "nk_engine_memory_import");
    int found = 0;
    ok(nk_engine_forget(engine, "greetings", &found), "nk_engine_forget");
    std::this_thread::yield();
  }
}

std::vector<std::string> strip(nk_engine* engine, const char* text) {
  nk_session* s = nullptr;
  std::vector<std::string> words;
  if (!ok(nk_session_new(engine, &s), "nk_session_new")) return words;
  nk_suggestion out[3];
  size_t count = 0;
  if (ok(nk_session_type(s, text), "nk_session_type") && ok(nk_session_suggestions(s, 3, out, &count), "suggestions"))
    for (size_t i = 0; i < count; ++i) words.emplace_back(out[i].word);
  nk_session_free(s);
  return words;
}

bool has(const std::vector<std::string>& v, const char* w) {
  for (const auto& x : v)
    if (x == w) return true;
  return false;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) return std::fprintf(stderr, "usage: threads_test BUNDLE_DIR [THREADS] [ROUNDS]\n"), 2;
  int threads = argc > 2 ? std::atoi(argv[2]) : 4, rounds = argc > 3 ? std::atoi(argv[3]) : 6;
  nk_engine* engine = nullptr;
  if (!ok(nk_engine_open(argv[1], &engine), "nk_engine_open")) return 1;
  char dir[] = "/tmp/nk-threads-XXXXXX";
  if (!mkdtemp(dir)) return std::fprintf(stderr, "mkdtemp failed\n"), 1;
  std::ofstream(std::string(dir) + "/words.txt") << "# a word list an app imports\nKestrelby 3\n";
  std::vector<std::thread> pool;
  for (int i = 0; i < threads; ++i) pool.emplace_back(typist, engine, i, rounds);
  pool.emplace_back(learner, engine, rounds * 4);
  pool.emplace_back(keeper, engine, rounds * 2, std::string(dir));
  for (auto& t : pool) t.join();
  for (const char* f : {"/memory.json", "/words.txt"}) std::remove((std::string(dir) + f).c_str());
  rmdir(dir);

  struct Want { const char* typed; const char* word; bool offered; };
  const Want wants[] = {{"We saw Zorv", "Zorvan", true}, {"It was in Brann", "Brannoch", true},
                        {"Hello from Vellm", "Vellmora", true}, {"The weath", "weather", false},
                        {"We flew to Kestr", "Kestrelby", true}};
  for (const Want& w : wants) {
    auto got = strip(engine, w.typed);
    if (has(got, w.word) != w.offered) {
      std::string shown;
      for (const auto& x : got) shown += " " + x;
      std::fprintf(stderr, "FAIL: after the threads, '%s' %s '%s' (strip:%s)\n", w.typed,
                   w.offered ? "does not offer" : "offers the blocked", w.word, shown.c_str());
      ++failures;
    }
  }
  nk_engine_free(engine);
  if (failures) return std::fprintf(stderr, "%d failures\n", failures.load()), 1;
  std::printf("PASS: %d sessions x %d sentences and a learner, every call NK_OK, learned words offered\n", threads,
              rounds);
  return 0;
}
