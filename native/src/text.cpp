// See text.h; each function says which Python one it ports. Regular expressions are written out
// as scans (the port has no regex engine); each keeps the Python pattern in its comment.
#include "text.h"

#include <algorithm>

namespace nextkey {

u32 partial_word(const u32& text, const LanguagePack& pack) {
  u32 tail = text.size() > 200 ? text.substr(text.size() - 200) : text;
  u32 inner = U"_" + pack.apostrophes + pack.hyphens;
  size_t i = tail.size();
  while (i && (is_alnum(tail[i - 1]) || contains(inner, tail[i - 1]))) --i;  // [\w'’\-]
  while (i < tail.size() && !is_alnum(tail[i])) ++i;                         // [^\W_]
  return tail.substr(i);
}

size_t partial_match(const u32& chunk, const LanguagePack& pack) {
  // search: the leftmost start p with chunk[p] alnum and chunk[p:] all in [\w'’-]
  size_t q = chunk.size();
  while (q && (is_word(chunk[q - 1]) || contains(pack.apostrophes, chunk[q - 1]) || contains(pack.hyphens, chunk[q - 1]))) --q;
  while (q < chunk.size() && !is_alnum(chunk[q])) ++q;
  return q < chunk.size() ? q : u32::npos;
}

u32 clean(const u32& text, const LanguagePack& pack) {
  u32 out;
  out.reserve(text.size());
  for (char32_t c : text) if (!pack.is_control(c)) out.push_back(c);
  return nfc(out);
}

// ---------------------------------------------------------------- addresses
// ADDRESS = \S*(?:\w@|://)\S*
//         | [(\["'“‘<]*(?: (?i:www\.)\S*
//                        | (?:[^\W_][\w-]*\.)+[^\W\d_]{2,24}/\S*
//                        | (?:[^\W_][\w-]*\.)+(?i:TLDS)(?::\d+)?(?:/\S*)?[.,;:!?)\]"'”’>]*
//                        | \S*[^\W_]_+[^\W_]\S* )
// fullmatched against one chunk (no whitespace in it).

namespace {
const char* const kTlds[] = {"com", "org", "net", "edu", "gov", "mil", "int", "io", "co", "uk", "de", "fr", "nl",
                             "eu", "ch", "at", "it", "es", "se", "no", "dk", "fi", "pl", "ru", "jp", "cn", "in",
                             "br", "au", "ca", "us", "info", "biz", "me", "tv", "app", "dev", "ai", "ly", "gg",
                             "xyz", "online", "site"};

// re.IGNORECASE against an ASCII letter: its two cases, and the non-ASCII letters Python folds
// to it (K: KELVIN SIGN, s: LONG S, i: DOTLESS I and I WITH DOT ABOVE).
bool same_letter(char32_t c, char ascii) {
  char32_t lower = (c >= 'A' && c <= 'Z') ? c + 32 : c;
  if (lower == char32_t(ascii)) return true;
  return (ascii == 'k' && c == 0x212A) || (ascii == 's' && c == 0x017F) || (ascii == 'i' && (c == 0x0131 || c == 0x0130));
}

bool is_label_char(char32_t c) { return is_word(c) || c == U'-'; }

// Where (?:[^\W_][\w-]*\.)+ can end when it starts at p: every position after a '.' that closes
// a run of labels.
std::vector<size_t> label_runs(const u32& s, size_t p) {
  std::vector<size_t> ends;
  size_t i = p;
  while (i < s.size() && is_alnum(s[i])) {
    size_t j = i + 1;
    while (j < s.size() && is_label_char(s[j])) ++j;
    if (j >= s.size() || s[j] != U'.') break;
    ends.push_back(j + 1);
    i = j + 1;
  }
  return ends;
}

bool host_then_path(const u32& s, size_t p) {  // (?:[^\W_][\w-]*\.)+[^\W\d_]{2,24}/\S*
  for (size_t e : label_runs(s, p)) {
    size_t k = e;
    while (k < s.size() && is_word(s[k]) && !is_decimal(s[k]) && s[k] != U'_' && k - e < 24) ++k;
    if (k - e >= 2 && k < s.size() && s[k] == U'/') return true;
  }
  return false;
}

bool host_with_tld(const u32& s, size_t p) {
  static const u32 trailing = U".,;:!?)]\"'\u201d\u2019>";
  for (size_t e : label_runs(s, p)) {
    for (const char* tld : kTlds) {
      size_t k = e, t = 0;
      while (tld[t] && k < s.size() && same_letter(s[k], tld[t])) ++k, ++t;
      if (tld[t]) continue;
      // (?::\d+)?(?:/\S*)?[punct]* to the end
      size_t r = k;
      if (r < s.size() && s[r] == U':') {
        size_t d = r + 1;
        while (d < s.size() && is_decimal(s[d])) ++d;
        if (d > r + 1) r = d;
      }
      if (r < s.size() && s[r] == U'/') return true;
      while (r < s.size() && contains(trailing, s[r])) ++r;
      if (r == s.size()) return true;
    }
  }
  return false;
}
}  // namespace

bool is_address(const u32& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    if (is_space(s[i])) return false;
    if (s[i] == U'@' && i && is_word(s[i - 1])) return true;
    if (s[i] == U':' && s.compare(i, 3, U"://") == 0) return true;
  }
  static const u32 opening = U"([\"'\u201c\u2018<";
  size_t p = 0;
  while (p < s.size() && contains(opening, s[p])) ++p;
  if (s.size() - p >= 4 && same_letter(s[p], 'w') && same_letter(s[p + 1], 'w') && same_letter(s[p + 2], 'w') &&
      s[p + 3] == U'.')
    return true;
  if (host_then_path(s, p) || host_with_tld(s, p)) return true;
  for (size_t i = 1; i + 1 < s.size(); ++i) {  // \S*[^\W_]_+[^\W_]\S*
    if (s[i] != U'_' || !is_alnum(s[i - 1])) continue;
    size_t j = i;
    while (j < s.size() && s[j] == U'_') ++j;
    if (j < s.size() && is_alnum(s[j])) return true;
  }
  return false;
}

// ---------------------------------------------------------------- sentences

End sentence_end(const u32& chunk, const LanguagePack& pack) {
  u32 core = strip(chunk, pack.closing_quotes, false, true);
  if (core.empty() || !contains(pack.sentence_enders, core.back())) return End::NONE;
  if (ends_with(core, pack.ellipses[0]) || ends_with(core, pack.ellipses[1])) return End::SOFT;
  if (core.back() != U'.') return End::PLAIN;
  size_t last = core.size() - 1, start = last;
  while (start && (is_alnum(core[start - 1]) || core[start - 1] == U'.')) --start;
  u32 word = core.substr(start, last - start);
  if (word.empty() || (start && (contains(pack.apostrophes, core[start - 1]) || contains(pack.hyphens, core[start - 1]))))
    return End::PLAIN;
  // (multi-part abbreviations: no ported pack has them)
  size_t parts = 1;
  bool single = true;  // every part one letter
  size_t run = 0;
  for (char32_t c : word) {
    if (c == U'.') { single = single && run == 1; run = 0; ++parts; continue; }
    single = single && is_alpha(c);
    ++run;
  }
  single = single && run == 1;
  if (core.size() == chunk.size() && (pack.abbreviations.count(word) || (single && is_upper(word)))) return End::NEVER;
  if (pack.soft_abbreviations.count(word) || (single && parts > 1 && is_lower(word))) return End::SOFT;
  return End::PLAIN;
}

bool is_break(const u32& chunk, const std::optional<u32>& following, const LanguagePack& pack) {
  End end = sentence_end(chunk, pack);
  if (end == End::NONE || end == End::NEVER) return false;
  if (!following) return end == End::PLAIN;
  u32 first = strip(*following, pack.opening_quotes, true, false).substr(0, 1);
  bool upper = !first.empty() && is_upper(first);
  if (end == End::SOFT) return upper;
  return !pack.capital_after_end || upper || (!first.empty() && is_decimal(first[0]));
}

bool ends_sentence(const u32& unit, const LanguagePack& pack) {
  size_t cut = unit.rfind(U' ');
  return sentence_end(cut == u32::npos ? unit : unit.substr(cut + 1), pack) == End::PLAIN;
}

bool leads_abbreviation(const u32&, const LanguagePack&) { return false; }

namespace {
struct Match { size_t start, end; bool has_gap; size_t g1, g2; };

// finditer of `[enders][closing]*(\s+)|\n`
std::vector<Match> gap_matches(const u32& t, const LanguagePack& pack) {
  std::vector<Match> out;
  size_t i = 0, n = t.size();
  while (i < n) {
    if (contains(pack.sentence_enders, t[i])) {
      size_t j = i + 1;
      while (j < n && contains(pack.closing_quotes, t[j])) ++j;
      size_t k = j;
      while (k < n && is_space(t[k])) ++k;
      if (k > j) { out.push_back({i, k, true, j, k}); i = k; continue; }
    } else if (t[i] == U'\n') {
      out.push_back({i, i + 1, false, 0, 0});
      ++i;
      continue;
    }
    ++i;
  }
  return out;
}

u32 chunk_before(const u32& t, size_t end) {
  size_t a = end;
  while (a && !is_space(t[a - 1])) --a;
  return t.substr(a, end - a);
}

u32 chunk_after(const u32& t, size_t start) {
  size_t b = start;
  while (b < t.size() && !is_space(t[b])) ++b;
  return t.substr(start, b - start);
}
}  // namespace

std::vector<Gap> sentence_gaps(const u32& text, const LanguagePack& pack, bool typing, bool from_last_break) {
  size_t n = text.size();
  std::vector<Gap> out;
  std::vector<Match> found = gap_matches(text, pack);
  auto visit = [&](const Match& m) -> bool {  // false: stop
    u32 gap = m.has_gap ? text.substr(m.g1, m.g2 - m.g1) : u32();
    if (!m.has_gap || gap.find(U'\n') != u32::npos) {  // a line break
      size_t a = m.has_gap ? m.g1 : m.start;
      out.push_back({a, m.end, (a && !is_space(text[a - 1])) ? chunk_before(text, a) : u32(), true});
    } else {
      size_t a = m.g1, b = m.g2;
      u32 following = chunk_after(text, b);
      if (following.empty() && !typing) return true;
      u32 chunk = chunk_before(text, a);
      std::optional<u32> known;
      if (!typing || b + following.size() < n) known = following;
      out.push_back({a, b, chunk, is_break(chunk, known, pack)});
    }
    return !(from_last_break && out.back().broke);
  };
  if (from_last_break) {
    for (auto it = found.rbegin(); it != found.rend(); ++it) if (!visit(*it)) break;
    std::reverse(out.begin(), out.end());
  } else {
    for (const Match& m : found) visit(m);
  }
  return out;
}

size_t sentence_start(const u32& text, const LanguagePack& pack) {
  auto gaps = sentence_gaps(text, pack, true, true);
  return (!gaps.empty() && gaps[0].broke) ? gaps[0].b : 0;
}


bool in_address(const u32& text) {
  if (text.empty() || is_space(text.back())) return false;
  u32 tail = text.size() > 200 ? text.substr(text.size() - 200) : text;
  size_t i = tail.size();
  while (i && !is_space(tail[i - 1])) --i;
  u32 chunk = tail.substr(i);
  return !chunk.empty() && is_address(chunk);
}

std::optional<u32> last_word(const u32& text, const LanguagePack& pack) {
  auto found = pack.find_words(text.size() > 64 ? text.substr(text.size() - 64) : text);
  if (found.empty()) return std::nullopt;
  return found.back().second;
}

u32 accept(const u32& before, const u32& word, const LanguagePack& pack) {
  u32 typed = partial_word(before, pack);
  u32 base = before.substr(0, before.size() - typed.size());
  if (!base.empty() && !is_space(base.back()) && typed.empty() && !contains(U"([{\"'\u201c\u2018-/@#", base.back()))
    base += U' ';
  return base + word + U' ';
}

bool takes_space(const u32& before, const u32& chars) {
  if (chars.empty() || before.empty() || before.back() != U' ') return false;
  char32_t ch = chars[0];
  if (contains(U".,;:!?)]}%\u2026\u201d\u2019", ch)) return true;
  size_t nl = before.rfind(U'\n');
  u32 para = nl == u32::npos ? before : before.substr(nl + 1);
  // paired quotes close only an open opener: German „…“ ‚…‘ »…«, French and Swiss «…» (text.py PAIRED_CLOSERS)
  static const std::pair<char32_t, char32_t> paired[] = {
      {U'\u201c', U'\u201e'}, {U'\u2018', U'\u201a'}, {U'\u00ab', U'\u00bb'}, {U'\u00bb', U'\u00ab'}};
  for (const auto& [closer, opener] : paired)
    if (ch == closer) return std::count(para.begin(), para.end(), opener) > std::count(para.begin(), para.end(), closer);
  if (ch != U'"' && ch != U'\'') return false;
  size_t count = 0;
  if (ch == U'"') {
    for (char32_t c : para) count += c == U'"';
  } else {
    for (size_t i = 0; i < para.size(); ++i)
      if (para[i] == U'\'' && !(0 < i && i + 1 < para.size() && is_alpha(para[i - 1]) && is_alpha(para[i + 1]))) ++count;
  }
  return count % 2 == 1;
}

}  // namespace nextkey
