#include "walk.h"

#include <algorithm>
#include <cstdint>
#include <set>
#include <tuple>

namespace nextkey {

namespace {
constexpr size_t MAX_MEMO = 1 << 14;
const char32_t END = U'\U0010ffff';
}  // namespace

std::unique_ptr<LexiconWalk::Trie> LexiconWalk::build(const Vocab& vocab, const std::vector<int>& ids,
                                                      const LanguagePack& pack) {
  auto root = std::make_unique<Trie>();
  for (int i : ids) {
    Trie* node = root.get();
    for (char32_t ch : pack.fold(vocab.text[size_t(i)])) {
      auto& child = node->children[ch];
      if (!child) child = std::make_unique<Trie>();
      node = child.get();
    }
    node->ids.push_back(i);
  }
  return root;
}

LexiconWalk::LexiconWalk(const Vocab& v, const Lexicon& lex) : vocab(v), lexicon(lex) {
  cont_ = build(vocab, vocab.cont_ids, lex.pack());
  std::vector<int> starts = walk(*build(vocab, vocab.start_ids, lex.pack()), U"", U"");
  std::sort(starts.begin(), starts.end());
  starts_ = std::make_shared<const std::vector<int>>(std::move(starts));
  std::set<char32_t> firsts;
  for (const u32& k : lex.keys())
    if (!k.empty()) firsts.insert(k[0]);
  for (char32_t ch : firsts) pieces(false, u32(1, ch), U"");  // the widest walks, done now
}

std::shared_ptr<const std::vector<int>> LexiconWalk::pieces(bool first, const u32& text, const u32& rest) {
  if (first && rest.empty()) return starts_;
  u32 key = u32(1, first ? U'1' : U'0') + text + U'\x01' + rest;
  {
    std::lock_guard<std::mutex> guard(lock_);
    auto it = memo_.find(key);
    if (it != memo_.end()) return it->second;
  }
  std::vector<int> found;  // computed outside the lock (the trie and the keys are read-only)
  if (first) {
    std::vector<int> typed = vocab.candidates(true, rest);
    std::set_intersection(starts_->begin(), starts_->end(), typed.begin(), typed.end(), std::back_inserter(found));
  } else {
    found = walk(*cont_, text, rest);
    std::sort(found.begin(), found.end());
  }
  auto shared = std::make_shared<const std::vector<int>>(std::move(found));
  std::lock_guard<std::mutex> guard(lock_);
  if (memo_.size() >= MAX_MEMO) memo_.clear();  // (Python drops the oldest quarter; answers never change)
  return memo_.emplace(key, shared).first->second;
}

std::vector<int> LexiconWalk::walk(const Trie& root, const u32& text, const u32& rest) const {
  const std::vector<u32>& keys = lexicon.keys();
  auto starts = [](const u32& k, const u32& p) { return k.compare(0, p.size(), p) == 0; };
  size_t lo = size_t(std::lower_bound(keys.begin(), keys.end(), text) - keys.begin());
  size_t hi = size_t(std::lower_bound(keys.begin() + long(lo), keys.end(), text + END) - keys.begin());
  if (lo == hi || !starts(keys[lo], text)) return {};
  std::vector<int> out(root.ids);
  // (trie node, length spelled, the keys [a, h) that begin with what it spells). Within such a
  // range the keys are sorted by their character at the spelled length (a key that ends there
  // first), so a child's range is found comparing that one character: no string is built.
  std::vector<std::tuple<const Trie*, size_t, size_t, size_t>> stack{{&root, text.size(), lo, hi}};
  while (!stack.empty()) {
    auto [node, d, a0, h0] = stack.back();
    stack.pop_back();
    auto at = [d](const u32& k) { return k.size() > d ? int64_t(k[d]) : int64_t(-1); };
    size_t depth = d - text.size();
    bool forced = depth < rest.size();
    auto visit = [&](char32_t ch, const Trie& child) {
      size_t a = size_t(std::partition_point(keys.begin() + long(a0), keys.begin() + long(h0),
                                             [&](const u32& k) { return at(k) < int64_t(ch); }) - keys.begin());
      if (a == h0 || at(keys[a]) != int64_t(ch)) return;  // no word begins with it: nor with anything longer
      out.insert(out.end(), child.ids.begin(), child.ids.end());
      if (!child.children.empty()) {
        size_t b = size_t(std::partition_point(keys.begin() + long(a), keys.begin() + long(h0),
                                               [&](const u32& k) { return at(k) <= int64_t(ch); }) - keys.begin());
        stack.emplace_back(&child, d + 1, a, b);
      }
    };
    if (forced) {
      auto c = node->children.find(rest[depth]);
      if (c != node->children.end()) visit(c->first, *c->second);
    } else {
      for (const auto& [ch, child] : node->children) visit(ch, *child);
    }
  }
  return out;
}

}  // namespace nextkey
