#include "lexicon.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "errors.h"

namespace nextkey {

Lexicon Lexicon::read(const std::string& path, long entries, const LanguagePack& pack) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw BundleError("cannot read lexicon " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  std::string text = ss.str();
  // (UTF-8 validity: from_utf8 replaces bad bytes; the sha256 already proved the file is the one exported)
  std::string norm;
  norm.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i)
    if (!(text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) norm.push_back(text[i]);
  while (!norm.empty() && norm.back() == '\n') norm.pop_back();
  if (norm.empty()) throw BundleError("lexicon " + path + " is empty");
  long n_lines = long(std::count(norm.begin(), norm.end(), '\n')) + 1;
  if (entries >= 0 && n_lines != entries)
    throw BundleError(path + ": lexicon has " + std::to_string(n_lines) + " entries but manifest lexicon.entries is " +
                      std::to_string(entries));
  Lexicon lex;
  lex.pack_ = &pack;
  std::istringstream in(norm);
  std::string line;
  long n = 0;
  while (std::getline(in, line)) {
    ++n;
    auto fault = [&](const std::string& what) {
      return BundleError("lexicon " + path + " line " + std::to_string(n) + " is not 'word<TAB>count' with count >= 1: " + what);
    };
    size_t tab = line.find('\t');
    if (tab == std::string::npos) throw fault("it has no tab");
    if (line.find('\t', tab + 1) != std::string::npos) throw fault("it has more than one tab");
    if (tab == 0) throw fault("the word is empty");
    std::string count = line.substr(tab + 1);
    if (count.empty() || count.size() > 18 || count.find_first_not_of("0123456789") != std::string::npos)
      throw fault("the count is not a whole number of 1 to 18 digits");
    double c = std::stod(count);
    if (c < 1) throw fault("the count is below 1");
    lex.forms_.push_back(from_utf8(line.substr(0, tab)));
    lex.counts_.push_back(c);
  }
  for (const u32& w : lex.forms_) lex.keys_.push_back(pack.fold(w));
  std::sort(lex.keys_.begin(), lex.keys_.end());
  lex.keys_.erase(std::unique(lex.keys_.begin(), lex.keys_.end()), lex.keys_.end());
  return lex;
}

bool Lexicon::contains(const u32& word) const {
  return std::binary_search(keys_.begin(), keys_.end(), pack_->fold(word));
}

bool Lexicon::has_prefix(const u32& folded) const {
  auto it = std::lower_bound(keys_.begin(), keys_.end(), folded);
  return it != keys_.end() && it->compare(0, folded.size(), folded) == 0;
}

}  // namespace nextkey
