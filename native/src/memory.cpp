#include "memory.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <sys/stat.h>

#include "text.h"

namespace nextkey {

bool is_word(const u32& text, const LanguagePack& pack) {
  auto found = pack.find_words(text);
  return found.size() == 1 && found[0].first == 0 && found[0].second.size() == text.size();
}

bool learnable(const u32& word, const std::function<bool(const u32&)>& is_common) {
  if (word.size() > 32 || std::none_of(word.begin(), word.end(), is_alpha)) return false;
  if (std::none_of(word.begin(), word.end(), is_decimal)) return true;
  // _ORDINAL: \d{1,4}(?:st|nd|rd|th|s), case-insensitive
  size_t d = 0;
  while (d < word.size() && is_decimal(word[d])) ++d;
  u32 tail = lower(word.substr(d));
  if (d >= 1 && d <= 4 && (tail == U"st" || tail == U"nd" || tail == U"rd" || tail == U"th" || tail == U"s")) return true;
  return is_common && is_common(word);
}

u32 learned_form(const u32& word, const LanguagePack& pack) {
  if (word.empty() || !std::all_of(word.begin(), word.end(), is_alpha)) return word;
  u32 key = pack.fold(word);
  auto of = pack.contraction_of();
  auto it = of.find(key);
  if (it == of.end() || !pack.misspellings().count(key)) return word;
  u32 c = pack.fixed_case(it->second[0]);
  if (is_upper(word[0]) && !is_upper(word) && !c.empty()) c[0] = to_upper(c[0]);
  return c;
}

std::vector<std::pair<size_t, u32>> learnable_words(const u32& text, const LanguagePack& pack) {
  std::vector<std::pair<size_t, u32>> out;
  size_t i = 0, n = text.size();
  while (i < n) {
    while (i < n && is_space(text[i])) ++i;
    size_t s = i;
    while (i < n && !is_space(text[i])) ++i;
    if (i == s) break;
    u32 chunk = text.substr(s, i - s);
    if (!is_address(chunk))
      for (auto& [at, w] : pack.find_words(chunk)) out.emplace_back(s + at, w);
  }
  return out;
}

double UserMemory::decayed(const Entry* e) const {
  if (!e) return 0.0;
  return e->count * std::pow(0.5, double(clock_ - e->last) / cfg_.half_life);
}

bool UserMemory::learnable(const u32& word) const { return nextkey::learnable(word, is_common); }

u32 UserMemory::voted_spelling(const u32& key) const {
  u32 spelling;
  double best = 0;
  auto vs = votes_.find(key);
  if (vs != votes_.end())
    for (auto& [sp, e] : vs->second)
      if (decayed(&e) > best) best = decayed(&e), spelling = sp;
  return spelling;
}

void UserMemory::observe(const u32& word, const std::optional<u32>& prev, bool sentence_start) {
  if (!is_word(word, pack_) || !learnable(word)) return;
  u32 key = pack_.fold(word);
  std::optional<u32> prev_key;
  if (prev && !prev->empty() && is_word(*prev, pack_) && learnable(*prev)) prev_key = pack_.fold(*prev);
  // a capital first letter at a sentence start says nothing about the word's case
  bool by_position = !word.empty() && is_upper(word[0]) &&
                     std::none_of(word.begin() + 1, word.end(), [](char32_t c) { return is_upper(c); });
  ++clock_;
  mass_ = mass_ * std::pow(0.5, 1 / cfg_.half_life) + 1.0;
  auto found = words_.find(key);
  if (!(sentence_start && by_position)) {
    Entry& v = votes_[key][word];
    v.count = decayed(&v) + 1.0;
    v.last = clock_;
  }
  u32 spelling = voted_spelling(key);  // with no vote, the one known so far, else typed (lowered at a start)
  if (spelling.empty()) {
    if (found != words_.end()) spelling = found->second.spelling;
    else {
      spelling = word;
      if (by_position) spelling[0] = to_lower(spelling[0]);
    }
  }
  Entry& e = words_[key];
  e.count = decayed(found == words_.end() ? nullptr : &e) + 1.0;
  e.last = clock_;
  e.spelling = spelling;
  if (prev_key) {
    Entry& p = pairs_[*prev_key + U'\t' + key];
    p.count = decayed(&p) + 1.0;
    p.last = clock_;
  }
  evict();
  ++version_;
}

// memory.py _evict: a table over its limit keeps its int(limit * 0.9) strongest entries (decayed
// counts), then the mass is summed again. A tie at the cut is kept by key order here, by insertion
// order in Python: rare, as each observe bumps one entry of a table at a clock of its own.
void UserMemory::evict() {
  auto strongest = [this](std::vector<std::pair<double, size_t>>& order, size_t limit) {
    std::stable_sort(order.begin(), order.end(), [](auto& a, auto& b) { return a.first > b.first; });
    order.resize(size_t(double(limit) * 0.9));
  };
  bool evicted = false;
  if (words_.size() > cfg_.max_words) {
    std::vector<std::pair<double, size_t>> order;
    std::vector<std::map<u32, Entry>::iterator> at;
    for (auto it = words_.begin(); it != words_.end(); ++it) order.emplace_back(decayed(&it->second), at.size()), at.push_back(it);
    strongest(order, cfg_.max_words);
    std::map<u32, Entry> kept;
    for (auto& [c, i] : order) kept.insert(*at[i]);
    words_.swap(kept);
    evicted = true;
  }
  if (pairs_.size() > cfg_.max_pairs) {
    std::vector<std::pair<double, size_t>> order;
    std::vector<std::unordered_map<u32, Entry>::iterator> at;
    for (auto it = pairs_.begin(); it != pairs_.end(); ++it) order.emplace_back(decayed(&it->second), at.size()), at.push_back(it);
    strongest(order, cfg_.max_pairs);
    std::unordered_map<u32, Entry> kept;
    for (auto& [c, i] : order) kept.insert(*at[i]);
    pairs_.swap(kept);
    evicted = true;
  }
  size_t votes = 0;
  for (auto& [k, v] : votes_) votes += v.size();
  if (votes > cfg_.max_pairs) {  // Python keeps the votes in one table ("key\tspelling") of this limit
    std::vector<std::pair<double, size_t>> order;
    std::vector<std::pair<u32, std::map<u32, Entry>::iterator>> at;
    for (auto& [k, v] : votes_)
      for (auto it = v.begin(); it != v.end(); ++it) order.emplace_back(decayed(&it->second), at.size()), at.emplace_back(k, it);
    strongest(order, cfg_.max_pairs);
    std::unordered_map<u32, std::map<u32, Entry>> kept;
    for (auto& [c, i] : order) kept[at[i].first].insert(*at[i].second);
    votes_.swap(kept);
    evicted = true;
  }
  if (evicted) {
    mass_ = 0;
    for (auto& [k, e] : words_) mass_ += decayed(&e);
  }
}

size_t UserMemory::learn_text(const u32& text) {
  size_t n = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(U'\n', start);
    if (end == u32::npos) end = text.size();
    u32 line = text.substr(start, end - start);
    std::vector<size_t> starts{0};
    for (const Gap& g : sentence_gaps(line, pack_, false))
      if (g.broke) starts.push_back(g.b);
    std::optional<u32> prev;
    size_t k = 0;
    for (auto& [at, w0] : learnable_words(line, pack_)) {
      bool first = false;
      while (k < starts.size() && starts[k] <= at) first = true, ++k;
      u32 w = learned_form(w0, pack_);
      observe(w, prev, first);
      prev = w;
      ++n;
    }
    start = end + 1;
  }
  return n;
}

double UserMemory::prob(const u32& word, const std::optional<u32>& prev, double pair_share) const {
  u32 key = pack_.fold(word);
  auto w = words_.find(key);
  double c = decayed(w == words_.end() ? nullptr : &w->second);
  if (c <= 0) return 0.0;
  double p_word = c / std::max(mass_, 1e-9);
  if (prev && !prev->empty()) {
    u32 pk = pack_.fold(*prev);
    auto pair = pairs_.find(pk + U'\t' + key);
    auto pw = words_.find(pk);
    double c_pair = decayed(pair == pairs_.end() ? nullptr : &pair->second);
    double c_prev = decayed(pw == words_.end() ? nullptr : &pw->second);
    if (c_pair > 0 && c_prev > 0) return pair_share * std::min(1.0, c_pair / c_prev) + (1 - pair_share) * p_word;
  }
  return (1 - pair_share) * p_word;
}

std::optional<u32> UserMemory::spelling(const u32& word) const {
  u32 key = pack_.fold(word);
  if (!votes_.count(key)) return std::nullopt;
  auto e = words_.find(key);
  if (e == words_.end() || (e->second.spelling.size() > 1 && is_upper(e->second.spelling))) return std::nullopt;
  return e->second.spelling;
}

std::vector<u32> UserMemory::candidates(const u32& prefix, size_t limit) const {
  u32 low = pack_.fold(prefix);
  std::vector<std::pair<double, u32>> found;
  for (auto it = words_.lower_bound(low); it != words_.end() && it->first.compare(0, low.size(), low) == 0; ++it) {
    double c = decayed(&it->second);
    const u32& sp = it->second.spelling;
    if (c >= cfg_.min_count && learnable(sp) && (c >= cfg_.slip_min_count || !near_slip || !near_slip(sp)))
      found.emplace_back(c, sp);
  }
  std::sort(found.begin(), found.end(), std::greater<>());
  std::vector<u32> out;
  for (size_t i = 0; i < found.size() && i < limit; ++i) out.push_back(found[i].second);
  return out;
}

void UserMemory::block(const u32& word) {
  if (!is_word(word, pack_)) throw std::invalid_argument("cannot block '" + to_utf8(word) + "': not one word");
  if (!learnable(word))
    throw std::invalid_argument("'" + to_utf8(word) + "' is never stored nor offered (numbers, codes and secret-like "
                                "strings are not learned): there is nothing to block");
  blocklist.user.insert(pack_.fold(word));
  ++version_;
}

void UserMemory::unblock(const u32& word) {
  blocklist.user.erase(pack_.fold(word));
  ++version_;
}

// memory.py forget: the word's entry, the pairs it is in (either side) and its votes go; the mass
// is summed again.
bool UserMemory::forget(const u32& word) {
  u32 key = pack_.fold(word);
  bool found = words_.erase(key) > 0;
  for (auto it = pairs_.begin(); it != pairs_.end();) {
    size_t tab = it->first.find(U'\t');
    if (it->first.substr(0, tab) == key || it->first.substr(tab + 1) == key) {
      it = pairs_.erase(it);
      found = true;
    } else {
      ++it;
    }
  }
  votes_.erase(key);
  mass_ = 0;
  for (auto& [k, e] : words_) mass_ += decayed(&e);
  ++version_;
  return found;
}

void UserMemory::wipe() {
  words_.clear();
  pairs_.clear();
  votes_.clear();
  blocklist.user.clear();
  clock_ = 0;
  mass_ = 0;
  ++version_;
}

namespace {
double round4(double x) { return std::round(x * 1e4) / 1e4; }
}  // namespace

std::string UserMemory::export_json() const {
  nlohmann::ordered_json out;
  out["format_version"] = MEMORY_FORMAT_VERSION;
  out["store"] = nullptr;
  out["clock"] = clock_;
  out["words"] = nlohmann::ordered_json::object();
  // (an entry decayed below 0.00005 rounds to 0 and is left out, as in memory.py)
  for (auto& [k, e] : words_)
    if (round4(decayed(&e)) > 0) out["words"][to_utf8(e.spelling)] = round4(decayed(&e));
  std::vector<std::pair<std::string, double>> pairs;  // sorted: the file is the same for the same memory
  for (auto& [k, e] : pairs_)
    if (round4(decayed(&e)) > 0) pairs.emplace_back(to_utf8(k), round4(decayed(&e)));
  std::sort(pairs.begin(), pairs.end());
  out["pairs"] = nlohmann::ordered_json::object();
  for (auto& [k, c] : pairs) out["pairs"][k] = c;
  std::vector<std::string> blocked;
  for (const u32& w : blocklist.user) blocked.push_back(to_utf8(w));
  std::sort(blocked.begin(), blocked.end());
  out["blocked"] = blocked;
  return out.dump(2, ' ', false) + "\n";
}

ImportCounts UserMemory::import_words(const Dictionary& d) {
  ImportCounts done;
  // memory.py import_words: never pushes out what is there; the strongest take the free places first
  size_t n_votes = 0;
  for (auto& [k, v] : votes_) n_votes += v.size();
  long room_words = long(cfg_.max_words) - long(words_.size());
  long room_pairs = long(cfg_.max_pairs) - long(pairs_.size()) - long(n_votes);
  auto strongest_first = [](std::vector<std::pair<u32, double>> v) {
    std::sort(v.begin(), v.end(), [](auto& a, auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
    return v;
  };
  for (auto& [typed, given] : strongest_first(d.words)) {
    if (!is_word(typed, pack_) || !learnable(typed) || !(given > 0)) {
      ++done.skipped;
      continue;
    }
    u32 spelling = learned_form(typed, pack_);  // "dont" is learned as "don't"
    u32 key = pack_.fold(spelling);
    auto found = words_.find(key);
    auto vk = votes_.find(key);
    bool new_vote = vk == votes_.end() || !vk->second.count(spelling);
    if ((found == words_.end() && room_words <= 0) || (new_vote && room_pairs <= 0)) {
      ++done.no_room;
      continue;
    }
    room_words -= found == words_.end();
    room_pairs -= new_vote;
    double before = found == words_.end() ? 0.0 : decayed(&found->second);
    double count = std::max(0.0, std::min(given, MAX_IMPORT_COUNT - before));  // at most a million a word
    Entry& v = votes_[key][spelling];
    v.count = decayed(&v) + count;
    v.last = clock_;
    Entry& e = words_[key];
    e.count = before + count;
    e.last = clock_;
    e.spelling = voted_spelling(key);
    mass_ += count;
    ++done.words;
  }
  for (auto& [pk, given] : strongest_first(d.pairs)) {
    size_t tab = pk.find(U'\t');
    u32 prev = pk.substr(0, tab), word = pk.substr(tab + 1);
    if (!learnable(prev) || !learnable(word) || !(given > 0)) continue;
    u32 key = pack_.fold(prev) + U'\t' + pack_.fold(word);
    auto found = pairs_.find(key);
    if (found == pairs_.end() && room_pairs <= 0) {
      ++done.no_room;
      continue;
    }
    room_pairs -= found == pairs_.end();
    double before = found == pairs_.end() ? 0.0 : decayed(&found->second);
    Entry& p = pairs_[key];
    p.count = before + std::max(0.0, std::min(given, MAX_IMPORT_COUNT - before));
    p.last = clock_;
    ++done.pairs;
  }
  evict();
  ++version_;
  for (const u32& w : d.blocked) {
    if (!learnable(w)) {
      ++done.skipped;
      continue;
    }
    block(w);
    ++done.blocked;
  }
  return done;
}

// ------------------------------------------------------------ reading a personal dictionary

namespace {

// str.splitlines's line ends.
bool is_line_break(char32_t c) {
  return c == U'\n' || c == U'\r' || c == U'\v' || c == U'\f' || (c >= 0x1c && c <= 0x1e) || c == 0x85 ||
         c == 0x2028 || c == 0x2029;
}

// float(text) for a count: the whole text a number, else NaN (refused by the range check).
double parse_count(const std::string& text) {
  std::string t;
  for (size_t i = 0; i < text.size(); ++i)  // Python's float() takes underscores between digits
    if (!(text[i] == '_' && i > 0 && i + 1 < text.size() && std::isdigit((unsigned char)text[i - 1]) &&
          std::isdigit((unsigned char)text[i + 1])))
      t += text[i];
  char* end = nullptr;
  double v = std::strtod(t.c_str(), &end);
  return (t.empty() || end != t.c_str() + t.size()) ? std::nan("") : v;
}

std::string nothing(const std::string& path, const std::string& field, const std::string& why) {
  return path + ": " + field + " " + why + "; nothing was imported (the format: nextkey memory export)";
}

Dictionary read_json_dictionary(const std::string& path, const std::string& text, const LanguagePack& pack) {
  nlohmann::json data;
  try {
    data = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    std::string why = e.what();  // "[json.exception.parse_error.101] parse error at line 1, column 9: ..."
    size_t at = why.find("] ");
    if (at != std::string::npos) why.erase(0, at + 2);
    throw std::invalid_argument(path + ": not valid JSON (" + why + "); nothing was imported");
  }
  if (!data.is_object()) throw std::invalid_argument(nothing(path, "the top level", "is not an object"));
  auto fv = data.find("format_version");
  if (fv == data.end() || !fv->is_number() || fv->get<double>() != MEMORY_FORMAT_VERSION)  // (2.0 is 2, as in Python)
    throw std::invalid_argument(nothing(path, "format_version", (fv == data.end() ? std::string("is missing") : "is " + fv->dump()) +
                                                                    ", not " + std::to_string(MEMORY_FORMAT_VERSION)));
  Dictionary out;
  for (const char* field : {"words", "pairs"}) {
    auto table = data.find(field);
    if (table == data.end()) continue;
    if (!table->is_object()) throw std::invalid_argument(nothing(path, field, "is not an object"));
    bool words = std::string(field) == "words";
    for (auto it = table->begin(); it != table->end(); ++it) {
      u32 key = from_utf8(it.key());
      // 0: what exports before 2026-11-30 wrote for an entry decayed to nothing (skipped on import)
      bool ok_count = it.value().is_number() && it.value().get<double>() >= 0 && it.value().get<double>() <= MAX_IMPORT_COUNT;
      bool ok_key;
      if (words) {
        ok_key = is_word(key, pack);
      } else {
        size_t tab = key.find(U'\t');
        ok_key = tab != u32::npos && key.find(U'\t', tab + 1) == u32::npos && is_word(key.substr(0, tab), pack) &&
                 is_word(key.substr(tab + 1), pack);
      }
      if (!(ok_count && ok_key))
        throw std::invalid_argument(nothing(path, std::string(field) + "['" + it.key() + "']",
                                            words ? "is not a word with a count from 0 to 1,000,000"
                                                  : "is not 'previous<TAB>word' with a count from 0 to 1,000,000"));
      (words ? out.words : out.pairs).emplace_back(key, it.value().get<double>());
    }
  }
  auto blocked = data.find("blocked");
  if (blocked != data.end()) {
    bool ok = blocked->is_array();
    if (ok)
      for (auto& w : *blocked) ok = ok && w.is_string() && is_word(from_utf8(w.get<std::string>()), pack);
    if (!ok) throw std::invalid_argument(nothing(path, "blocked", "is not a list of words"));
    for (auto& w : *blocked) out.blocked.push_back(from_utf8(w.get<std::string>()));
  }
  return out;
}

}  // namespace

Dictionary read_dictionary(const std::string& path, const LanguagePack& pack) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  if (S_ISDIR(st.st_mode)) throw std::runtime_error("cannot read " + path + ": it is a folder, not a file");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  std::string bytes;
  try {
    bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot read " + path + ": " + e.what());
  }
  if (f.bad()) throw std::runtime_error("cannot read " + path + ": " + std::strerror(errno));
  size_t bad = first_bad_utf8(bytes);
  if (bad != std::string::npos)
    throw std::invalid_argument(path + " is not UTF-8 text (byte " + std::to_string(bad) + "): nothing was imported");
  if (bytes.compare(0, 3, "\xEF\xBB\xBF") == 0) bytes.erase(0, 3);  // a byte-order mark (Windows Notepad)
  u32 text = from_utf8(bytes);
  size_t first = 0;
  while (first < text.size() && is_space(text[first])) ++first;
  if (first < text.size() && text[first] == U'{') return read_json_dictionary(path, bytes, pack);
  Dictionary out;
  std::map<u32, size_t> at;  // word -> its place in out.words (counts of a repeated word add up)
  auto add = [&](const u32& w, double c) {
    auto [it, fresh] = at.emplace(w, out.words.size());
    if (fresh) out.words.emplace_back(w, 0.0);
    out.words[it->second].second += c;
  };
  size_t n = 0, i = 0;
  while (i < text.size()) {
    size_t s = i;
    while (i < text.size() && !is_line_break(text[i])) ++i;
    u32 raw = text.substr(s, i - s);
    if (i < text.size() && text[i] == U'\r' && i + 1 < text.size() && text[i + 1] == U'\n') ++i;
    ++i;
    ++n;
    std::vector<u32> parts = split(raw);
    if (parts.empty() || parts[0][0] == U'#') continue;
    std::string where = path + " line " + std::to_string(n) + ": ";
    if (parts.size() <= 2 && is_address(parts[0])) {  // an address: never stored (skipped on import)
      add(parts[0], 0.0);
      continue;
    }
    if (parts.size() > 2 || !is_word(parts[0], pack))
      throw std::invalid_argument(where + "expected one word, optionally followed by a count; nothing was imported");
    double count = 2.0;
    if (parts.size() == 2) {
      count = parse_count(to_utf8(parts[1]));
      if (!(count > 0 && count <= MAX_IMPORT_COUNT))
        throw std::invalid_argument(where + "the count is not a number above 0 and at most 1,000,000; nothing was imported");
    }
    add(parts[0], count);
  }
  return out;
}

}  // namespace nextkey
