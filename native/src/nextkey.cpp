// The C API (include/nextkey.h) over the C++ core: handles own C++ objects, exceptions become
// statuses with a message.
#include "nextkey.h"

#include <algorithm>
#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine.h"
#include "errors.h"

namespace {
thread_local std::string last_error;

nk_status fail(nk_status s, const std::string& what) {
  last_error = what;
  return s;
}

// NK_BAD_ARGUMENT for text that is not UTF-8 (nextkey.h's promise), naming the call, the
// argument and the byte; NK_OK otherwise.
nk_status check_utf8(const char* text, const char* call, const char* arg) {
  size_t bad = nextkey::first_bad_utf8(text);
  if (bad == std::string::npos) return NK_OK;
  return fail(NK_BAD_ARGUMENT, std::string(call) + ": " + arg + " is not UTF-8 (byte " + std::to_string(bad) + ")");
}

template <class F>
nk_status guard(F f) {
  try {
    return f();
  } catch (const nextkey::BundleError& e) {
    return fail(NK_BAD_BUNDLE, e.what());
  } catch (const std::exception& e) {
    return fail(NK_INTERNAL, e.what());
  }
}
}  // namespace

struct nk_engine {
  std::unique_ptr<nextkey::Engine> engine;
};

struct nk_session {
  nk_engine* engine;
  std::unique_ptr<nextkey::Session> session;
  std::string utf8, units, partial;
  std::vector<std::string> words;  // the last strip's words (nk_suggestion.word points into them)
};

namespace {
// An engine call with one text argument: NULLs and text that is not UTF-8 refused, the text
// decoded for f; std::invalid_argument from f (what is not one word) is NK_BAD_ARGUMENT.
template <class F>
nk_status engine_text_call(nk_engine* e, const char* text, const char* call, const char* arg, F f) {
  if (!e || !text) return fail(NK_BAD_ARGUMENT, std::string(call) + ": engine and " + arg + " must not be NULL");
  if (check_utf8(text, call, arg) != NK_OK) return NK_BAD_ARGUMENT;
  try {
    f(nextkey::from_utf8(text));
    return NK_OK;
  } catch (const std::invalid_argument& x) {
    return fail(NK_BAD_ARGUMENT, std::string(call) + ": " + x.what());
  } catch (const std::exception& x) {
    return fail(NK_INTERNAL, x.what());
  }
}
}  // namespace

extern "C" {

const char* nk_last_error(void) { return last_error.c_str(); }

nk_status nk_engine_open(const char* bundle_dir, nk_engine** out) {
  if (!bundle_dir || !out) return fail(NK_BAD_ARGUMENT, "nk_engine_open: bundle_dir and out must not be NULL");
  return guard([&] {
    auto e = std::make_unique<nk_engine>();
    e->engine = std::make_unique<nextkey::Engine>(bundle_dir);
#if defined(__GLIBC__)
    malloc_trim(0);  // loading's temporary strings (the lexicon read, folded, sorted) leave 1.5 MB of free heap resident
#endif
    *out = e.release();
    return NK_OK;
  });
}

void nk_engine_free(nk_engine* engine) { delete engine; }

nk_status nk_engine_learn(nk_engine* e, const char* text) {
  return engine_text_call(e, text, "nk_engine_learn", "text", [&](const nextkey::u32& t) { e->engine->learn_text(t); });
}

nk_status nk_engine_block(nk_engine* e, const char* word) {
  return engine_text_call(e, word, "nk_engine_block", "word", [&](const nextkey::u32& w) { e->engine->block(w); });
}

nk_status nk_engine_unblock(nk_engine* e, const char* word) {
  return engine_text_call(e, word, "nk_engine_unblock", "word", [&](const nextkey::u32& w) { e->engine->unblock(w); });
}

nk_status nk_engine_forget(nk_engine* e, const char* word, int* found) {
  return engine_text_call(e, word, "nk_engine_forget", "word", [&](const nextkey::u32& w) {
    bool had = e->engine->forget(w);
    if (found) *found = had ? 1 : 0;
  });
}

nk_status nk_engine_memory_wipe(nk_engine* e) {
  if (!e) return fail(NK_BAD_ARGUMENT, "nk_engine_memory_wipe: engine must not be NULL");
  return guard([&] {
    e->engine->wipe_memory();
    return NK_OK;
  });
}

nk_status nk_engine_memory_export(nk_engine* e, const char* path) {
  if (!e) return fail(NK_BAD_ARGUMENT, "nk_engine_memory_export: engine must not be NULL");
  if (!path || !*path) return fail(NK_BAD_ARGUMENT, "nk_engine_memory_export: path must not be NULL or empty");
  try {
    e->engine->export_memory(path);
    return NK_OK;
  } catch (const std::runtime_error& x) {
    return fail(NK_IO, std::string("nk_engine_memory_export: ") + x.what());
  } catch (const std::exception& x) {
    return fail(NK_INTERNAL, x.what());
  }
}

nk_status nk_engine_memory_import(nk_engine* e, const char* path, size_t counts[4]) {
  if (!e) return fail(NK_BAD_ARGUMENT, "nk_engine_memory_import: engine must not be NULL");
  if (!path || !*path) return fail(NK_BAD_ARGUMENT, "nk_engine_memory_import: path must not be NULL or empty");
  try {
    nextkey::ImportCounts done = e->engine->import_memory(path);
    if (counts) counts[0] = done.words, counts[1] = done.pairs, counts[2] = done.blocked, counts[3] = done.skipped + done.no_room;
    return NK_OK;
  } catch (const std::invalid_argument& x) {
    return fail(NK_BAD_ARGUMENT, std::string("nk_engine_memory_import: ") + x.what());
  } catch (const std::runtime_error& x) {
    return fail(NK_IO, std::string("nk_engine_memory_import: ") + x.what());
  } catch (const std::exception& x) {
    return fail(NK_INTERNAL, x.what());
  }
}

nk_status nk_session_new(nk_engine* engine, nk_session** out) {
  if (!engine || !out) return fail(NK_BAD_ARGUMENT, "nk_session_new: engine and out must not be NULL");
  return guard([&] {
    *out = new nk_session{engine, engine->engine->session(), {}, {}, {}, {}};
    return NK_OK;
  });
}

void nk_session_free(nk_session* session) { delete session; }

nk_status nk_session_type(nk_session* s, const char* chars) {
  if (!s || !chars) return fail(NK_BAD_ARGUMENT, "nk_session_type: session and chars must not be NULL");
  if (check_utf8(chars, "nk_session_type", "chars") != NK_OK) return NK_BAD_ARGUMENT;
  return guard([&] {
    s->session->type(nextkey::from_utf8(chars));
    return NK_OK;
  });
}

nk_status nk_session_backspace(nk_session* s, size_t count) {
  if (!s) return fail(NK_BAD_ARGUMENT, "nk_session_backspace: session must not be NULL");
  return guard([&] {
    s->session->backspace(count);
    return NK_OK;
  });
}

nk_status nk_session_set_text(nk_session* s, const char* text) {
  if (!s || !text) return fail(NK_BAD_ARGUMENT, "nk_session_set_text: session and text must not be NULL");
  if (check_utf8(text, "nk_session_set_text", "text") != NK_OK) return NK_BAD_ARGUMENT;
  return guard([&] {
    s->session->set_text(nextkey::from_utf8(text));
    return NK_OK;
  });
}

const char* nk_session_text(const nk_session* s) {
  if (!s) return "";
  const_cast<nk_session*>(s)->utf8 = nextkey::to_utf8(s->session->text());
  return s->utf8.c_str();
}

nk_status nk_session_suggestions(nk_session* s, size_t n, nk_suggestion* out, size_t* count) {
  if (count) *count = 0;  // (a caller's loop over out[0..*count) shows nothing on failure)
  if (!s || !count || (n && !out) || n > 100)
    return fail(NK_BAD_ARGUMENT, "nk_session_suggestions: a NULL argument, or n above 100 (n=" + std::to_string(n) + ")");
  *count = 0;
  return guard([&] {
    auto found = s->session->suggest(int(n));
    s->words.clear();
    for (const auto& f : found) s->words.push_back(nextkey::to_utf8(f.word));
    for (size_t i = 0; i < found.size(); ++i)
      out[i] = nk_suggestion{s->words[i].c_str(), found[i].score,
                             found[i].kind == nextkey::Kind::NEXT ? NK_KIND_NEXT : NK_KIND_COMPLETION,
                             found[i].corrected ? 1 : 0};
    *count = found.size();
    return NK_OK;
  });
}

nk_status nk_session_prefetch(nk_session* s, size_t n, size_t guesses, size_t* done) {
  if (done) *done = 0;  // an app's `while (done)` loop ends on any failure
  if (!s) return fail(NK_BAD_ARGUMENT, "nk_session_prefetch: session is NULL");
  if (!done) return fail(NK_BAD_ARGUMENT, "nk_session_prefetch: done is NULL");
  if (n > 100) return fail(NK_BAD_ARGUMENT, "nk_session_prefetch: n is above 100 (n=" + std::to_string(n) + ")");
  return guard([&] {
    *done = s->session->prefetch(int(n), guesses);
    return NK_OK;
  });
}

nk_status nk_session_accept(nk_session* s, const char* word) {
  if (!s || !word) return fail(NK_BAD_ARGUMENT, "nk_session_accept: session and word must not be NULL");
  if (check_utf8(word, "nk_session_accept", "word") != NK_OK) return NK_BAD_ARGUMENT;
  return guard([&] {
    s->session->accept(nextkey::from_utf8(word));
    return NK_OK;
  });
}

nk_status nk_session_set_learning(nk_session* s, int learn) {
  if (!s) return fail(NK_BAD_ARGUMENT, "nk_session_set_learning: session must not be NULL");
  return guard([&] {
    s->session->set_learning(learn != 0);
    return NK_OK;
  });
}

nk_status nk_session_context(nk_session* s, const char** units, const char** partial, int* needs_space,
                             int* sentence_start) {
  if (!s || !units || !partial || !needs_space || !sentence_start)
    return fail(NK_BAD_ARGUMENT, "nk_session_context: NULL argument");
  return guard([&] {
    nextkey::Context c = s->session->context();
    s->units.clear();
    for (size_t i = 0; i < c.units.size(); ++i) s->units += (i ? "\n" : "") + nextkey::to_utf8(c.units[i]);
    s->partial = nextkey::to_utf8(c.partial);
    *units = s->units.c_str();
    *partial = s->partial.c_str();
    *needs_space = c.needs_space;
    *sentence_start = c.sentence_start;
    return NK_OK;
  });
}

nk_status nk_session_model_steps(const nk_session* s, unsigned long* calls, unsigned long* rows) {
  if (!s || !calls || !rows) return fail(NK_BAD_ARGUMENT, "nk_session_model_steps: NULL argument");
  *calls = static_cast<unsigned long>(s->session->runner().calls);
  *rows = static_cast<unsigned long>(s->session->runner().rows);
  return NK_OK;
}

}  // extern "C"
