// The character facts Python's str methods give the reference engine (isalnum, isspace, isupper,
// lower, NFC), over UTF-32 text: the port indexes text by code point, as Python does, so window
// and block positions (tracker.py) count the same characters. From utf8proc's Unicode tables.
#pragma once
#include <string>
#include <vector>

namespace nextkey {

using u32 = std::u32string;

u32 from_utf8(const std::string& s);  // invalid bytes become U+FFFD
size_t first_bad_utf8(const std::string& s);  // the offset of the first byte that is not UTF-8, or npos
std::string to_utf8(const u32& s);
u32 nfc(const u32& s);

bool is_alpha(char32_t c);    // str.isalpha: categories Lu Ll Lt Lm Lo
bool is_decimal(char32_t c);  // str.isdecimal and re's \d: category Nd
bool is_alnum(char32_t c);    // str.isalnum: letters and numbers (L*, N*)
bool is_word(char32_t c);     // re's \w: alnum or '_'
bool is_space(char32_t c);    // str.isspace and re's \s
bool is_upper(char32_t c);    // a single character's str.isupper
bool is_lower(char32_t c);
bool is_upper(const u32& s);  // str.isupper: some cased character, none lowercase or titlecase
bool is_lower(const u32& s);  // str.islower
char32_t to_lower(char32_t c);
char32_t to_upper(char32_t c);
bool is_printable(char32_t c);  // str.isprintable: not Cc Cf Cs Co Cn Zl Zp, nor Zs other than ' '
u32 lower(const u32& s);
u32 upper(const u32& s);

std::vector<u32> split(const u32& s);  // str.split(): runs of non-space characters
u32 strip(const u32& s, const u32& chars, bool left, bool right);
u32 join(const std::vector<u32>& parts, const u32& sep);
bool ends_with(const u32& s, const u32& tail);
bool contains(const u32& chars, char32_t c);

}  // namespace nextkey
