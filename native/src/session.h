// A streaming typing session (engine/session.py): the text before the cursor, its state stack and
// the Position for the current state; asks the tracker and the pipeline in one direction.
// One Session per thread.
#pragma once
#include <memory>
#include <optional>

#include "pipeline.h"
#include "settings.h"
#include "state.h"
#include "tracker.h"

namespace nextkey {

class Engine;

class Session {
 public:
  explicit Session(Engine& engine, bool learn = false);
  ~Session();
  const u32& text() const { return text_; }
  void set_text(const u32& text);
  // Append chars; right after accept, closing punctuation takes back the accept's space, and
  // so does an apostrophe followed by a possessive or contraction ending.
  void type(const u32& chars);
  void backspace(size_t k);
  void accept(const u32& word);  // replace the word being typed by word, followed by a space
  // Whether the session learns each word the user commits (typed or accepted) into the engine's
  // memory; off for a password field. Turned on, it learns what is committed from then on.
  void set_learning(bool learn);
  bool learning() const { return learn_; }
  Context context() const;
  std::vector<Suggestion> suggest(int n);
  // Idle work, native only, that changes no result: the suggestions (n of them) after each of up
  // to `guesses` of the likeliest next actions, kept in their positions' memos (and the states they
  // commit as the stack's branches) so the keystroke that makes one is answered from memory. The
  // guesses, planned once per text (plan_guesses): accepting each word shown, a space, the
  // likeliest next letters (next_letters), a period and a comma, a shown word accepted with a
  // period or a comma after it. None is learned. Returns how many this call computed (0: none left).
  size_t prefetch(int n, size_t guesses);
  const StepRunner& runner() const { return *runner_; }  // its calls and rows: what the session's model ran

 private:
  std::shared_ptr<Position> position(const SnapshotPtr& top);
  u32 apostrophe() const;
  bool starts_sentence(const u32& before) const;
  void learn_commits();
  u32 next_letters(const Context& ctx, const std::vector<u32>& shown, int n);  // shown: the strip's words
  struct Guess {
    u32 accept;  // a word to accept first ('' none)
    u32 chars;   // then characters to type ('' none)
  };
  std::vector<Guess> plan_guesses(int n);
  Engine& engine_;
  bool learn_;
  std::unique_ptr<StepRunner> runner_;
  std::unique_ptr<StateStack> stack_;
  std::unique_ptr<WordDecoder> decoder_;
  std::unique_ptr<ModelSource> model_;
  std::unique_ptr<Combiner> combiner_;
  std::unique_ptr<Selector> selector_;
  std::unique_ptr<Corrections> corrections_;
  std::unique_ptr<Contractions> contractions_;
  std::unique_ptr<Pipeline> pipeline_;
  u32 text_;
  u32 seen_;  // the text when commits were last looked for (learning)
  long auto_space_ = -1;  // the text's length right after an accept added its space (-1: none)
  std::shared_ptr<Position> pos_, root_pos_;
  // The last positions made (their searches and strips), so a state the stack takes back (a
  // branch: state.h) finds its memo again. At most MAX_RECENT.
  static constexpr size_t MAX_RECENT = 16;
  std::vector<std::shared_ptr<Position>> recent_;
  std::optional<u32> plan_text_;  // prefetch: the text it planned for (none yet)
  std::vector<Guess> plan_;
  size_t plan_at_ = 0;  // the next guess of plan_ to make
};

}  // namespace nextkey
