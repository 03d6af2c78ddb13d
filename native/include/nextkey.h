/* nextkey: on-device next-word prediction, the C API of the native engine.
 *
 * Opaque handles; every string is UTF-8 and NUL-terminated. A function that can fail returns
 * an nk_status; nk_last_error() then says why, in words that name the file and the values
 * found (thread-local; a successful call leaves it as it was, so read it only after a failure,
 * before the thread's next failing call). On failure, nk_session_suggestions sets *count to 0
 * and nk_session_prefetch *done to 0; the other calls leave what they fill (counts, found, out)
 * as it was. Text that is not UTF-8 is refused with NK_BAD_ARGUMENT naming the argument and the
 * byte.
 *
 * Status of the port (native/README.md): every function works; the user memory (learn, block,
 * forget) lives in RAM for the engine's life; an app keeps it across launches by exporting it to
 * a file of its own and importing that file after nk_engine_open (no shared store yet). An engine is shared by its
 * sessions; learn and block change what every session suggests. One session per thread: sessions
 * of one engine may run on different threads at once, and learn/block may be called from any
 * thread (the user memory is behind a reader-writer lock; native/tests/threads_test.cpp checks it
 * under ThreadSanitizer). A session itself is not to be called from two threads at once. */
#ifndef NEXTKEY_H_
#define NEXTKEY_H_

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  NK_OK = 0,
  NK_BAD_BUNDLE = 1,     /* the bundle is refused: nk_last_error() says which file and why */
  NK_BAD_ARGUMENT = 2,   /* a NULL handle, n out of [0, 100], text that is not UTF-8 */
  NK_UNIMPLEMENTED = 3,  /* not ported yet */
  NK_INTERNAL = 4,
  NK_IO = 5              /* a file cannot be read or written: nk_last_error() names it and the system's reason */
} nk_status;

typedef struct nk_engine nk_engine;    /* a loaded bundle: model, tokenizer, lexicon; shared by sessions */
typedef struct nk_session nk_session;  /* one text field: the text before the cursor */

typedef enum { NK_KIND_NEXT = 0, NK_KIND_COMPLETION = 1, NK_KIND_LEARNED = 2 } nk_kind;

typedef struct {
  const char* word;  /* valid until the next call on the session */
  double score;      /* log-probability the selector ranked by */
  nk_kind kind;
  int corrected;     /* 1: a typo correction of the word being typed */
} nk_suggestion;

const char* nk_last_error(void);

nk_status nk_engine_open(const char* bundle_dir, nk_engine** out);
void nk_engine_free(nk_engine* engine);
/* The user's words and "never suggest" entries, kept in RAM (no persistent store yet). learn:
 * every word of a text (past messages). block: NK_BAD_ARGUMENT for what is not one word. */
nk_status nk_engine_learn(nk_engine* engine, const char* text);
nk_status nk_engine_block(nk_engine* engine, const char* word);
nk_status nk_engine_unblock(nk_engine* engine, const char* word);
/* Drop a learned word and every pair it is in; *found (may be NULL): 1 if there was any. */
nk_status nk_engine_forget(nk_engine* engine, const char* word, int* found);
/* Forget everything learned and blocked (RAM; a file the app exported is the app's to delete). */
nk_status nk_engine_memory_wipe(nk_engine* engine);

/* Keeping the memory across launches (native/README.md "User memory"). export writes what is
 * learned and blocked as JSON, the format `nextkey memory export` writes (docs/personal-dictionary.md),
 * replacing path atomically: a new file beside it, flushed to disk, renamed over it, so a crash
 * leaves the old file or the new one, never a mix (NK_IO naming the file otherwise; nothing is
 * left beside it). Words learned after the last export are lost if the app dies: export when the
 * app goes to the background. import merges a personal dictionary (that JSON, or a word list: one
 * word a line, optionally a count) into the memory, counts adding up: import into a fresh engine
 * restores what was exported. A malformed file is NK_BAD_ARGUMENT naming its line or field, and
 * nothing of it is imported; NK_IO when it cannot be read. An import never pushes out what the
 * memory holds: past its room (20,000 words, 50,000 pairs and spellings) the file's strongest new
 * entries get in and the rest are left out; a count adds up to at most 1,000,000. counts (may be
 * NULL): words, pairs and blocked words merged, and entries skipped (numbers, codes, secret-like
 * strings are never learned) or left out for want of room. */
nk_status nk_engine_memory_export(nk_engine* engine, const char* path);
nk_status nk_engine_memory_import(nk_engine* engine, const char* path, size_t counts[4]);

nk_status nk_session_new(nk_engine* engine, nk_session** out);
void nk_session_free(nk_session* session);
nk_status nk_session_type(nk_session* session, const char* chars);   /* append at the cursor */
nk_status nk_session_backspace(nk_session* session, size_t count);   /* characters (code points) */
nk_status nk_session_set_text(nk_session* session, const char* text_before_cursor);
const char* nk_session_text(const nk_session* session);  /* "" for a NULL session */
/* Up to n suggestions, best first, into out[0..*count). */
nk_status nk_session_suggestions(nk_session* session, size_t n, nk_suggestion* out, size_t* count);
nk_status nk_session_accept(nk_session* session, const char* word);
/* Idle work between keystrokes (native only; it changes no result): computes the n suggestions
 * after each of up to `guesses` of the user's likeliest next actions and keeps them, so the
 * keystroke that makes one is answered from memory instead of the model. n must be the n the app
 * asks nk_session_suggestions for (the memo is per n: another n keeps little of the gain). The
 * guesses, planned once per text: accepting each word last shown (alone, then with a period or a
 * comma after it), a space, the likeliest next letters (26 for a word's first letter, else 12: by
 * the model's words for the typed prefix, then the lexicon's), a period and a comma. None is
 * learned. *done: how many this call computed; 0 once none is left for this text, when n or
 * guesses is 0, and on any failure. Each guess costs about one suggestions call, so an app calls
 *
 *     size_t done;
 *     while (input_queue_empty() && nk_session_prefetch(session, n, 1, &done) == NK_OK && done) {}
 *
 * on the thread that calls the session's other functions (post it as an idle task: a session is
 * not to be called from two threads at once), and a key that arrives waits for one guess at most.
 * Memory: the session keeps its last 16 positions' memos and 32 states (RSS at the end of a
 * typist's 150 sentences: about 78 MB with prefetch, 55 MB without). The figures with and without:
 * README.md, "Use it in a native app (C API)". */
nk_status nk_session_prefetch(nk_session* session, size_t n, size_t guesses, size_t* done);
/* Whether the session learns each word the user commits, typed (when the space after it is
 * typed) or accepted, into the engine's memory: off when a session is made (a password field
 * learns nothing). Turned on, it learns what is committed from then on. */
nk_status nk_session_set_learning(nk_session* session, int learn);

/* For ports and debugging (the conformance kit's context cases): the committed units the model
 * is fed, joined by '\n', and the word being typed. Valid until the next call on the session. */
nk_status nk_session_context(nk_session* session, const char** units, const char** partial,
                             int* needs_space, int* sentence_start);

/* For benchmarks: the model calls this session has run and the rows they stepped (one token
 * each; a batched call steps several rows at once), since the session was made. */
nk_status nk_session_model_steps(const nk_session* session, unsigned long* calls, unsigned long* rows);

#ifdef __cplusplus
}
#endif

#endif /* NEXTKEY_H_ */
