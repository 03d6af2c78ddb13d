/* The smallest app of the C API: load a bundle, then for each line of standard input (the text
 * before the cursor; a trailing space means "the next word") print the suggestions.
 *
 *   make native
 *   printf 'I would like to \nHow are you do\n' | native/build/suggest_stdin engine/default_bundle
 *
 * Output, one line per input line: the text, then each suggestion as word (score, kind),
 * a '*' after a typo correction. LiteRT logs to stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nextkey.h"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: %s BUNDLE_DIR [N]   (reads lines from standard input)\n", argv[0]);
    return 2;
  }
  size_t n = argc == 3 ? (size_t)strtoul(argv[2], NULL, 10) : 3;
  if (n > 100) n = 100;

  nk_engine* engine = NULL;
  if (nk_engine_open(argv[1], &engine) != NK_OK) {
    fprintf(stderr, "cannot load %s: %s\n", argv[1], nk_last_error());
    return 1;
  }
  nk_session* session = NULL;
  if (nk_session_new(engine, &session) != NK_OK) {
    fprintf(stderr, "%s\n", nk_last_error());
    nk_engine_free(engine);
    return 1;
  }

  static const char* kinds[] = {"next", "completion", "learned"};
  char line[4096];
  int status = 0;
  while (fgets(line, sizeof line, stdin)) {
    line[strcspn(line, "\r\n")] = '\0';  /* keep trailing spaces: they mean a word was finished */
    nk_suggestion found[100];
    size_t count = 0;
    if (nk_session_set_text(session, line) != NK_OK || nk_session_suggestions(session, n, found, &count) != NK_OK) {
      fprintf(stderr, "%s\n", nk_last_error());  /* e.g. a line that is not UTF-8 */
      status = 1;
      continue;
    }
    printf("%s|", line);
    for (size_t i = 0; i < count; ++i)
      printf("%s %s (%.2f, %s)%s", i ? "," : "", found[i].word, found[i].score, kinds[found[i].kind],
             found[i].corrected ? "*" : "");
    printf("\n");
    fflush(stdout);
  }
  nk_session_free(session);
  nk_engine_free(engine);
  return status;
}
