#include "unicode.h"

#include <utf8proc.h>

#include <cstdlib>

namespace nextkey {

u32 from_utf8(const std::string& s) {
  u32 out;
  out.reserve(s.size());
  auto p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t i = 0, n = utf8proc_ssize_t(s.size());
  while (i < n) {
    utf8proc_int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate(p + i, n - i, &c);
    if (k < 0) c = 0xFFFD, k = 1;
    out.push_back(char32_t(c));
    i += k;
  }
  return out;
}

size_t first_bad_utf8(const std::string& s) {
  auto p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t i = 0, n = utf8proc_ssize_t(s.size());
  while (i < n) {
    utf8proc_int32_t c;
    utf8proc_ssize_t k = utf8proc_iterate(p + i, n - i, &c);
    if (k <= 0) return size_t(i);
    i += k;
  }
  return std::string::npos;
}

std::string to_utf8(const u32& s) {
  std::string out;
  out.reserve(s.size());
  utf8proc_uint8_t buf[4];
  for (char32_t c : s) {
    utf8proc_int32_t cp = utf8proc_codepoint_valid(utf8proc_int32_t(c)) ? utf8proc_int32_t(c) : 0xFFFD;
    utf8proc_ssize_t k = utf8proc_encode_char(cp, buf);
    out.append(reinterpret_cast<char*>(buf), size_t(k));
  }
  return out;
}

u32 nfc(const u32& s) {
  bool ascii = true;
  for (char32_t c : s) ascii = ascii && c < 0x80;
  if (ascii) return s;
  std::string b = to_utf8(s);
  utf8proc_uint8_t* out = utf8proc_NFC(reinterpret_cast<const utf8proc_uint8_t*>(b.c_str()));
  if (!out) return s;
  u32 r = from_utf8(reinterpret_cast<char*>(out));
  std::free(out);
  return r;
}

static utf8proc_category_t cat(char32_t c) { return utf8proc_category(utf8proc_int32_t(c)); }

bool is_alpha(char32_t c) {
  switch (cat(c)) {
    case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL: case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM: case UTF8PROC_CATEGORY_LO: return true;
    default: return false;
  }
}
bool is_decimal(char32_t c) { return cat(c) == UTF8PROC_CATEGORY_ND; }
bool is_alnum(char32_t c) {
  if (c < 0x80) return (c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z');
  auto k = cat(c);
  return is_alpha(c) || k == UTF8PROC_CATEGORY_ND || k == UTF8PROC_CATEGORY_NL || k == UTF8PROC_CATEGORY_NO;
}
bool is_word(char32_t c) { return c == U'_' || is_alnum(c); }
bool is_space(char32_t c) {
  if (c < 0x80) return (c >= 9 && c <= 13) || (c >= 0x1c && c <= 0x20);
  if (c == 0x85) return true;
  auto k = cat(c);
  return k == UTF8PROC_CATEGORY_ZS || k == UTF8PROC_CATEGORY_ZL || k == UTF8PROC_CATEGORY_ZP;
}
bool is_upper(char32_t c) { return utf8proc_isupper(utf8proc_int32_t(c)); }
bool is_lower(char32_t c) { return utf8proc_islower(utf8proc_int32_t(c)); }
bool is_upper(const u32& s) {
  bool cased = false;
  for (char32_t c : s) {
    if (is_lower(c) || cat(c) == UTF8PROC_CATEGORY_LT) return false;
    cased = cased || is_upper(c);
  }
  return cased;
}
bool is_lower(const u32& s) {
  bool cased = false;
  for (char32_t c : s) {
    if (is_upper(c) || cat(c) == UTF8PROC_CATEGORY_LT) return false;
    cased = cased || is_lower(c);
  }
  return cased;
}
char32_t to_lower(char32_t c) { return char32_t(utf8proc_tolower(utf8proc_int32_t(c))); }
char32_t to_upper(char32_t c) { return char32_t(utf8proc_toupper(utf8proc_int32_t(c))); }
bool is_printable(char32_t c) {
  if (c == U' ') return true;
  switch (cat(c)) {
    case UTF8PROC_CATEGORY_CC: case UTF8PROC_CATEGORY_CF: case UTF8PROC_CATEGORY_CS: case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CN: case UTF8PROC_CATEGORY_ZL: case UTF8PROC_CATEGORY_ZP: case UTF8PROC_CATEGORY_ZS:
      return false;
    default:
      return true;
  }
}
u32 lower(const u32& s) {
  u32 out(s);
  for (auto& c : out) c = to_lower(c);
  return out;
}
u32 upper(const u32& s) {
  u32 out(s);
  for (auto& c : out) c = to_upper(c);
  return out;
}

std::vector<u32> split(const u32& s) {
  std::vector<u32> out;
  size_t i = 0, n = s.size();
  while (i < n) {
    while (i < n && is_space(s[i])) ++i;
    size_t j = i;
    while (j < n && !is_space(s[j])) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

bool contains(const u32& chars, char32_t c) { return chars.find(c) != u32::npos; }

u32 strip(const u32& s, const u32& chars, bool left, bool right) {
  size_t a = 0, b = s.size();
  if (left) while (a < b && contains(chars, s[a])) ++a;
  if (right) while (b > a && contains(chars, s[b - 1])) --b;
  return s.substr(a, b - a);
}

u32 join(const std::vector<u32>& parts, const u32& sep) {
  u32 out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : u32()) + parts[i];
  return out;
}

bool ends_with(const u32& s, const u32& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace nextkey
