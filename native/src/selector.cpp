#include "selector.h"

#include <algorithm>
#include <cmath>

namespace nextkey {

namespace {
constexpr size_t MAX_SHOWN = 4096;

double logsumexp(const std::vector<double>& xs) {
  if (xs.empty()) return 0.0;
  double hi = *std::max_element(xs.begin(), xs.end()), s = 0;
  for (double x : xs) s += std::exp(x - hi);
  return hi + std::log(s);
}

void by_score(std::vector<Found>& v) {
  std::stable_sort(v.begin(), v.end(), [](const Found& a, const Found& b) { return a.score > b.score; });
}
}  // namespace

Selector::Selector(const LanguagePack& pack, IsBlocked is_blocked, CompoundOk compound_ok, Spelling spelling,
                   HasForm has_form)
    : pack_(pack), is_blocked_(std::move(is_blocked)), compound_ok_(std::move(compound_ok)),
      spelling_(std::move(spelling)), has_form_(std::move(has_form)), misspellings_(pack.misspellings()), contraction_of_(pack.contraction_of()) {}

Scored Selector::pick(const Scored& scored0, const Query& q) {
  Scored scored = scored0;
  if (spelling_)
    for (auto& [w, sc] : scored)
      if (auto s = spelling_(w)) w = *s;
  if (!q.stem.empty() && compound_ok_) {
    Query bare = q;
    bare.stem.clear();
    Scored parts;
    for (auto& p : pick(scored, bare))
      if (!pack_.hyphen_stop_words.count(pack_.fold(p.first))) parts.push_back(p);
    double total = 0;
    if (!q.typed.empty()) {
      std::vector<double> xs;
      for (auto& p : parts) xs.push_back(p.second);
      total = logsumexp(xs);
    }
    Scored out;
    for (auto& p : parts)
      if (compound_ok_(q.stem, p.first, p.second - total)) out.push_back(p);
    return out;
  }
  auto shaper = [this](const u32& word, const u32& typed, bool start, const u32& apostrophe) {
    auto key = std::make_tuple(word, typed, start, apostrophe);
    auto it = shown_.find(key);
    if (it != shown_.end()) return it->second;
    if (shown_.size() >= MAX_SHOWN) shown_.clear();
    return shown_[key] = shown_as(word, typed, start, apostrophe, pack_, has_form_);
  };
  u32 typed = pack_.fold(q.typed);
  Scored out;
  for (auto& [w, sc] : merge_forms(scored, q.typed, q.sentence_start, q.apostrophe, pack_, shaper)) {
    u32 f = pack_.fold(w);
    if ((f == typed || !is_blocked_(w)) && !(!q.stem.empty() && pack_.hyphen_stop_words.count(f)) &&
        !misspellings_.count(f))
      out.emplace_back(w, sc);
  }
  return out;
}

std::vector<Found> Selector::with_respellings(const std::vector<Found>& found, const Scored& respelled,
                                              const Query& q) const {
  u32 low = pack_.fold(q.typed);
  std::set<u32> shown;
  for (auto& f : found) shown.insert(pack_.fold(f.word));
  std::vector<Found> extra;
  for (auto& [w, sc] : merge_corrections(respelled, q.typed, q.sentence_start, q.apostrophe, pack_, has_form_))
    if (!shown.count(pack_.fold(w)) && !is_blocked_(w)) extra.push_back({w, sc, true});
  if (extra.empty()) return found;
  std::vector<Found> merged(found);
  merged.insert(merged.end(), extra.begin(), extra.end());
  by_score(merged);
  if (merged.size() > size_t(q.n)) merged.resize(size_t(q.n));
  const Found* exact = nullptr;
  for (size_t i = 0; i < found.size() && i < size_t(q.n); ++i)
    if (pack_.fold(found[i].word) == low) {
      exact = &found[i];
      break;
    }
  if (exact && std::find(merged.begin(), merged.end(), *exact) == merged.end() && !merged.empty()) {
    merged.back() = *exact;
    by_score(merged);
  }
  return merged;
}

std::vector<Found> Selector::with_corrections(const std::vector<Found>& found, const Scored& corrected0,
                                              const Query& q, bool typed_is_word,
                                              const std::function<std::pair<u32, double>()>& exact) const {
  u32 low = pack_.fold(q.typed);
  std::set<u32> shown;
  for (auto& f : found) shown.insert(pack_.fold(f.word));
  Scored corrected;
  for (auto& [w, sc] : corrected0) {  // a correction to a contraction's bare misspelling is the contraction
    u32 f = pack_.fold(w);
    corrected.emplace_back(misspellings_.count(f) ? contraction_of_.at(f)[0] : w, sc);
  }
  std::vector<Found> extra;
  for (auto& [w, sc] : merge_corrections(corrected, q.typed, q.sentence_start, q.apostrophe, pack_, has_form_))
    if (!shown.count(pack_.fold(w)) && !is_blocked_(w)) {
      shown.insert(pack_.fold(w));
      extra.push_back({w, sc, true});
    }
  std::vector<Found> merged(found);
  merged.insert(merged.end(), extra.begin(), extra.end());
  by_score(merged);
  if (merged.size() > size_t(q.n)) merged.resize(size_t(q.n));
  bool any_corrected = false, has_typed = false;
  for (auto& f : merged) any_corrected |= f.corrected, has_typed |= pack_.fold(f.word) == low;
  if (!any_corrected || has_typed) return merged;
  if (typed_is_word) {  // a real word typed in full is never pushed out by a correction
    std::optional<Found> hit;
    for (auto& f : found)
      if (pack_.fold(f.word) == low) {
        hit = f;
        break;
      }
    if (!hit) {
      auto [word, score] = exact();
      hit = Found{word, score, false};
    }
    size_t weakest = merged.size();
    for (size_t k = 0; k < merged.size(); ++k)
      if (merged[k].corrected && (weakest == merged.size() || -merged[k].score > -merged[weakest].score)) weakest = k;
    merged[weakest] = *hit;
    by_score(merged);
  }
  return merged;
}

u32 Selector::shape_exact(const u32& form, const Query& q) const {
  auto shaped = merge_corrections({{form, 0.0}}, q.typed, q.sentence_start, q.apostrophe, pack_, has_form_);
  return shaped.empty() ? q.typed : shaped[0].first;
}

}  // namespace nextkey
