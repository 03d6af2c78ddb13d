// See tracker.h; engine/tracker.py's docstring explains the rules (sentence scope, the window
// that moves in blocks, units joined across a sentence end the next word continues).
#include "tracker.h"

#include <algorithm>
#include <optional>

#include "text.h"

namespace nextkey {

namespace {
// Begins at the next word so that no chunk is cut in two, but never past ``limit`` (where the
// word being typed begins): a chunk longer than the window is cut, the typed word kept.
size_t block_start(const u32& text, long blocks, const WindowConfig& cfg, size_t limit) {
  size_t pos = size_t(blocks * cfg.block_chars);
  while (0 < pos && pos < limit && !is_space(text[pos])) ++pos;
  return std::min(pos, limit);
}

// Where the window starts, and where it will start after its next move (nullopt: not inside the
// committed text yet).
std::pair<size_t, std::optional<size_t>> window_starts(const u32& text, const WindowConfig& cfg, const LanguagePack& pack) {
  long n = long(text.size()) - long(partial_word(text, pack).size());
  long blocks = n > cfg.window_chars ? (n - cfg.window_chars) / cfg.block_chars + 1 : 0;
  size_t following = block_start(text, blocks + 1, cfg, size_t(n));
  std::optional<size_t> next;
  if (long(following) < n) next = following;
  return {block_start(text, blocks, cfg, size_t(n)), next};
}

struct Committed {
  std::vector<u32> chunks;
  u32 partial, stem;
  bool needs_space, sentence_start;
};

Committed committed(const u32& window, const WindowConfig& cfg, const LanguagePack& pack, const KeepWhole& keep_whole) {
  std::vector<Gap> gaps = sentence_gaps(window, pack, true, cfg.sentence_scope);
  size_t begin = 0;  // where the sentence being typed begins
  for (const Gap& g : gaps) if (g.broke) begin = std::max(begin, g.b);
  size_t first = cfg.sentence_scope ? begin : 0;
  std::vector<u32> chunks = split(window.substr(first));
  size_t cut = window.size();  // the committed text ends here
  u32 partial, stem, head;
  bool needs_space = true;
  if (!chunks.empty() && !is_space(window.back())) {  // the last chunk is being typed
    u32 last = chunks.back();
    size_t m = partial_match(last, pack);
    if (m != u32::npos) {  // (else it ends in punctuation, "hello,": committed)
      chunks.pop_back();
      cut -= last.size();
      partial = last.substr(m);
      // A hyphenated word no known word begins with is predicted one part at a time.
      if (partial.find(U'-') != u32::npos && keep_whole && !keep_whole(pack.fold(partial))) {
        size_t cut_at = partial.rfind(U'-') + 1;
        stem = partial.substr(0, cut_at);
        partial = partial.substr(cut_at);
      }
      head = last.substr(0, m) + stem;  // "(wor", "role-pl": the word continues the chunk without a space
      needs_space = head.empty();
    }
  }
  std::vector<u32> in_sentence = first == begin ? chunks : split(window.substr(begin, cut - begin));
  bool sentence_start_ = needs_space && (in_sentence.empty() || ends_sentence(in_sentence.back(), pack));
  // A plain sentence end that the next committed chunk continues ("late." before "he") is joined to it.
  std::vector<size_t> joins;
  for (const Gap& g : gaps) {
    if (g.a >= first && !g.broke && (ends_sentence(g.chunk, pack) || leads_abbreviation(g.chunk, pack)))
      joins.push_back(split(window.substr(first, g.a - first)).size() - 1);
  }
  for (auto it = joins.rbegin(); it != joins.rend(); ++it) {
    size_t k = *it;
    if (k + 1 < chunks.size()) {
      chunks[k] = chunks[k] + U" " + chunks[k + 1];
      chunks.erase(chunks.begin() + long(k) + 1);
    }
  }
  bool maybe = false;  // a cheap test first: most chunks are words
  for (const u32& c : chunks)
    maybe = maybe || c.find_first_of(U"@/.") != u32::npos;
  if (maybe) {  // e-mail and web addresses are not fed
    std::vector<u32> kept;
    for (const u32& unit : chunks) {
      std::vector<u32> parts;
      size_t s = 0;
      while (true) {  // unit.split(" ")
        size_t e = unit.find(U' ', s);
        u32 c = unit.substr(s, e == u32::npos ? u32::npos : e - s);
        if (!is_address(c)) parts.push_back(c);
        if (e == u32::npos) break;
        s = e + 1;
      }
      u32 u = join(parts, U" ");
      if (!u.empty()) kept.push_back(u);
    }
    chunks = kept;
  }
  if (!head.empty()) chunks.push_back(head);
  return {chunks, partial, stem, needs_space, sentence_start_};
}

std::vector<u32> ahead_units(const u32& text, const WindowConfig& cfg, std::optional<size_t> start,
                             const std::vector<u32>& units, const LanguagePack& pack) {
  if (long(text.size()) <= cfg.window_chars - cfg.block_chars || !start ||
      (cfg.sentence_scope && sentence_start(text.substr(*start), pack) > 0))
    return {};  // the current sentence begins after the next window start: the move changes nothing
  std::vector<u32> ahead = committed(clean(text.substr(*start), pack), cfg, pack, KeepWhole()).chunks;
  return ahead != units ? ahead : std::vector<u32>();
}
}  // namespace

size_t window_start(const u32& text, const WindowConfig& cfg, const LanguagePack& pack) {
  return window_starts(text, cfg, pack).first;
}

Context parse(const u32& text, const WindowConfig& cfg, const KeepWhole& keep_whole, const LanguagePack& pack) {
  auto [start, following] = window_starts(text, cfg, pack);
  u32 window = clean(text.substr(start), pack);
  Committed c = committed(window, cfg, pack, keep_whole);
  Context ctx;
  ctx.units = c.chunks;
  ctx.partial = c.partial;
  ctx.needs_space = c.needs_space;
  ctx.sentence_start = c.sentence_start;
  ctx.ahead = ahead_units(text, cfg, following, c.chunks, pack);
  ctx.stem = c.stem;
  return ctx;
}

}  // namespace nextkey
