// The facade (engine/engine.py): a bundle, its model and the tracker, wired once. Ported so far:
// loading and checking, the tokenizer, the context, one model step. Suggestions need the decoder,
// sources, combiner, selector, corrections and memory, which are not ported yet.
#pragma once
#include <memory>
#include <set>
#include <string>

#include "bundle.h"
#include "runner.h"
#include "tracker.h"

namespace nextkey {

class Engine {
 public:
  explicit Engine(const std::string& bundle_path, const WindowConfig& window = WindowConfig());
  Context context(const std::string& text_before_cursor) const;  // UTF-8 in
  std::vector<int> encode(const std::string& text) const;
  std::vector<int> unit_tokens(const u32& unit) const;
  const Bundle& bundle() const { return bundle_; }
  StepRunner& runner() { return *runner_; }
  double load_ms = 0;

 private:
  bool known(const u32& word) const;
  bool keeps_whole(const u32& folded) const;  // known.py's KeepsWhole, with an empty user memory
  Bundle bundle_;
  std::unique_ptr<StepRunner> runner_;
  WindowConfig window_;
  std::set<u32> misspellings_;
};

}  // namespace nextkey
