// See bundle.h. The order of the checks is engine/bundle.py's, so that a bad bundle is refused
// before anything large is read. Not ported yet: the refusal of a key written twice in the
// manifest (nlohmann keeps the last) and of numbers longer than 32 characters.
#include "bundle.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <map>
#include <cmath>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include "errors.h"
#include "sha256.h"
#include "unicode.h"

namespace nextkey {

using nlohmann::json;

namespace {
const char kFormat[] = "nextkey-bundle";
const int kFormatVersion = 1;
const char kManifest[] = "manifest.json";
const long kMaxManifestBytes = 1 << 20;
const int kMaxManifestDepth = 16;
const long kMaxVocab = 1 << 20, kMaxState = 1 << 16, kMaxLexiconEntries = 1 << 20, kMaxNameChars = 128;
const int kBytePieces = 256;
const std::vector<std::pair<std::string, long>> kRoles = {{"model", 256L << 20}, {"tokenizer", 32L << 20}, {"lexicon", 8L << 20}};
const std::regex kHex64("[0-9a-f]{64}"), kFileName("(?!\\.+$)[A-Za-z0-9_.\\-]+"),
    kCreated("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), kLanguage("[a-z]{2,3}([_-][A-Za-z0-9]{2,8})*");

std::string show(const json& v) {  // a field's value for an error message, cut short
  std::string r = v.dump();
  return r.size() <= 80 ? r : r.substr(0, 60) + "... (" + std::to_string(r.size()) + " characters)";
}

int depth(const json& v) {
  int d = 0;
  if (v.is_structured()) for (const auto& c : v) d = std::max(d, depth(c));
  return v.is_structured() ? d + 1 : 0;
}

struct Schema {
  std::string mpath;
  const json& data;
  BundleError fail(const std::string& name, const json& value, const std::string& expect) const {
    return BundleError(mpath + ": field '" + name + "' is " + show(value) + "; expected " + expect);
  }
  // The value at a path of keys; nullptr when missing and not required.
  const json* get(const std::vector<std::string>& parts, json::value_t kind, const std::string& expect,
                  const std::function<bool(const json&)>& ok = nullptr, bool required = true) const {
    std::string name;
    for (const auto& p : parts) name += (name.empty() ? "" : ".") + p;
    const json* v = &data;
    for (const auto& p : parts) {
      if (!v->is_object() || !v->contains(p)) {
        if (!required) return nullptr;
        throw BundleError(mpath + ": field '" + name + "' is missing; expected " + expect);
      }
      v = &(*v)[p];
    }
    bool type_ok = kind == json::value_t::number_integer ? (v->is_number_integer()) : v->type() == kind;
    if (!type_ok || (ok && !ok(*v))) throw fail(name, *v, expect);
    return v;
  }
  const json* get(const std::string& dotted, json::value_t kind, const std::string& expect,
                  const std::function<bool(const json&)>& ok = nullptr, bool required = true) const {
    std::vector<std::string> parts;
    std::stringstream ss(dotted);
    std::string p;
    while (std::getline(ss, p, '.')) parts.push_back(p);
    return get(parts, kind, expect, ok, required);
  }
  void fixed(const std::string& name, const json& want) const {
    get(name, want.type(), want.dump(), [&](const json& v) { return v == want; });
  }
  void keys(const std::string& name, const json& value, std::vector<std::string> want, const std::string& what) const {
    std::vector<std::string> got;
    for (auto it = value.begin(); it != value.end(); ++it) got.push_back(it.key());
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    if (got != want) throw BundleError(mpath + ": field '" + name + "' has keys " + show(json(got)) + "; expected exactly " +
                                       json(want).dump() + " (" + what + ")");
  }
};

const auto STR = json::value_t::string, INT = json::value_t::number_integer, OBJ = json::value_t::object,
           ARR = json::value_t::array;

bool fullmatch(const std::regex& r, const json& v) { return std::regex_match(v.get<std::string>(), r); }

struct stat inside(const std::string& bundle, const std::string& name, const std::string& what) {
  std::string p = bundle + "/" + name;
  char real[PATH_MAX], root[PATH_MAX];
  if (!realpath(p.c_str(), real)) {
    if (errno == ENOENT) throw BundleError("bundle " + bundle + ": " + what + " " + name + " is missing");
    throw BundleError("bundle " + bundle + ": " + what + " " + name + " cannot be opened: " + std::strerror(errno));
  }
  if (!realpath(bundle.c_str(), root)) throw BundleError("bundle " + bundle + " cannot be opened");
  std::string r(real), o(root);
  if (r == o || r.compare(0, o.size() + 1, o + "/") != 0)
    throw BundleError("bundle " + bundle + ": " + what + " " + name + " is a link to " + r +
                      ", outside the bundle folder; a bundle's files must lie inside it");
  struct stat st;
  if (stat(real, &st) != 0 || !S_ISREG(st.st_mode))
    throw BundleError("bundle " + bundle + ": " + what + " " + name + " is not a regular file");
  return st;
}
}  // namespace

void validate(const std::string& mpath, const json& data) {
  if (!data.is_object()) throw BundleError(mpath + " must hold a JSON object, got " + std::string(data.type_name()));
  Schema s{mpath, data};
  s.get("format", STR, std::string("'") + kFormat + "'", [](const json& v) { return v == kFormat; });
  s.get("format_version", INT, std::to_string(kFormatVersion) + " (the version this engine reads)",
        [](const json& v) { return v == kFormatVersion; });
  s.get("name", STR, "a line of 1 to 128 printable characters", [](const json& v) {
    u32 t = from_utf8(v.get<std::string>());
    for (char32_t c : t) if (c < 0x20 || c == 0x7f) return false;
    return !t.empty() && long(t.size()) <= kMaxNameChars;
  }, false);
  s.get("created", STR, "a UTC time like '2026-11-29T08:53:19Z'", [](const json& v) { return fullmatch(kCreated, v); }, false);
  s.get("language", STR, "a language pack code like 'en'",
        [](const json& v) { return v.get<std::string>().size() <= 16 && fullmatch(kLanguage, v); }, false);
  s.get("settings", OBJ, "an object of engine settings", nullptr, false);

  const std::string plain = "a plain file name inside the bundle";
  const json& files = *s.get("files", OBJ, "an object naming the model and tokenizer files");
  for (const char* role : {"model", "tokenizer"})
    s.get(std::vector<std::string>{"files", role}, STR, plain, [](const json& v) { return fullmatch(kFileName, v); });
  std::vector<std::string> names;
  std::map<std::string, long> limit;
  for (auto it = files.begin(); it != files.end(); ++it) {
    auto role = std::find_if(kRoles.begin(), kRoles.end(), [&](const auto& r) { return r.first == it.key(); });
    if (role == kRoles.end())
      throw BundleError(mpath + ": field 'files' names a file role " + show(it.key()) +
                        " this engine does not know; expected roles ['model', 'tokenizer', 'lexicon']");
    s.get(std::vector<std::string>{"files", it.key()}, STR, plain,
          [](const json& v) { return fullmatch(kFileName, v) && v != kManifest; });
    names.push_back(it.value());
    limit[it.value()] = role->second;
  }
  if (std::set<std::string>(names.begin(), names.end()).size() != names.size())
    throw BundleError(mpath + ": field 'files' is " + show(files) + "; expected a different file for each role");
  const json& sha = *s.get("sha256", OBJ, "an object of file name -> sha256 hex");
  for (const auto& f : names)
    s.get(std::vector<std::string>{"sha256", f}, STR, "64 lowercase hex digits", [](const json& v) { return fullmatch(kHex64, v); });
  s.keys("sha256", sha, names, "one checksum per file in 'files'");
  const json& sizes = *s.get("size_bytes", OBJ, "an object of file name -> size in bytes");
  for (const auto& f : names) {
    long lim = limit[f];
    s.get(std::vector<std::string>{"size_bytes", f}, INT, "the size of " + f + " in bytes, an integer in [1, " + std::to_string(lim) + "]",
          [&](const json& v) { return v.get<long>() >= 1 && v.get<long>() <= lim; });
  }
  s.keys("size_bytes", sizes, names, "one size per file in 'files'");

  s.get("quantization", STR, "one of ['float32', 'float16', 'int8', 'int8-full']", [](const json& v) {
    return v == "float32" || v == "float16" || v == "int8" || v == "int8-full";
  });
  long vocab = *s.get("vocab_size", INT, "an integer in [2, 1048576]", [](const json& v) { return v >= 2 && v <= kMaxVocab; });
  long size = *s.get("state.size", INT, "an integer in [1, 65536]", [](const json& v) { return v >= 1 && v <= kMaxState; });
  s.fixed("state.dtype", "float32");
  s.fixed("state.initial", "zeros");
  const json& layout = *s.get("state.layout", ARR, "a list of {layer, offset, size}, one per layer",
                              [&](const json& v) { return v.size() >= 1 && long(v.size()) <= size; });
  long end = 0;
  for (size_t i = 0; i < layout.size(); ++i) {
    const json& part = layout[i];
    bool ok = part.is_object() && part.size() == 3 && part.contains("layer") && part.contains("offset") &&
              part.contains("size") && part["layer"].is_number_integer() && part["offset"].is_number_integer() &&
              part["size"].is_number_integer() && part["layer"] == i && part["offset"] == end && part["size"] >= 1;
    if (!ok) throw s.fail("state.layout." + std::to_string(i), part, "{'layer': " + std::to_string(i) + ", 'offset': " +
                          std::to_string(end) + ", 'size': >= 1} (layers in order, each right after the one before)");
    end += part["size"].get<long>();
  }
  const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> step = {
      {"inputs", {{"tokens", "int32"}, {"state", "float32"}}}, {"outputs", {{"logprobs", "float32"}, {"state", "float32"}}}};
  for (const auto& [side, tensors] : step) {
    std::string where = "signatures.step." + side;
    const json& got = *s.get(where, OBJ, "an object describing the step signature's " + side);
    s.keys(where, got, {tensors[0].first, tensors[1].first}, "the " + side + " of the step signature");
    for (const auto& [t, dtype] : tensors) {
      s.get(where + "." + t, OBJ, "an object of dtype and shape");
      s.keys(where + "." + t, got[t], {"dtype", "shape"}, "a tensor's description");
      s.fixed(where + "." + t + ".dtype", dtype);
      size_t rank = t == "tokens" ? 1 : 2;
      s.get(where + "." + t + ".shape", ARR, "a list of " + std::to_string(rank) + " integers, the first -1 (the dynamic batch)",
            [&](const json& v) {
              if (v.size() != rank) return false;
              for (const auto& x : v) if (!x.is_number_integer()) return false;
              return v[0] == -1;
            });
    }
  }
  std::string in_vocab = "a token id in [0, " + std::to_string(vocab) + ")";
  auto id_ok = [&](const json& v) { return v >= 0 && v < vocab; };
  long eos = *s.get("special_tokens.eos", INT, in_vocab, id_ok);
  s.get("special_tokens.start_of_text", INT, in_vocab, id_ok);
  s.get("special_tokens.start_of_text", INT, "the eos id " + std::to_string(eos) + " (training opens every sentence with </s>)",
        [&](const json& v) { return v == eos; });
  for (const char* tok : {"pad", "unk", "bos"}) s.get(std::string("special_tokens.") + tok, INT, in_vocab, id_ok);
  s.fixed("tokenizer.type", "sentencepiece-unigram");
  s.fixed("tokenizer.byte_fallback", true);
  s.fixed("tokenizer.split_digits", true);
  s.fixed("tokenizer.normalization", "NFC, applied by the caller");
  s.fixed("tokenizer.word_boundary", "\u2581");
  s.get("tokenizer.pieces_sha256", STR, "64 lowercase hex digits (bundle.pieces_fingerprint of the tokenizer)",
        [](const json& v) { return fullmatch(kHex64, v); });
  if (files.contains("lexicon")) {
    s.get("lexicon.entries", INT, "the lexicon's line count, an integer in [1, 1048576]",
          [](const json& v) { return v >= 1 && v <= kMaxLexiconEntries; });
    s.get("lexicon.format", STR, "a string", nullptr, false);
    s.get("lexicon.apostrophe", STR, "a string", nullptr, false);
    s.get("lexicon.sources", ARR, "a list of strings", [](const json& v) {
      for (const auto& x : v) if (!x.is_string()) return false;
      return true;
    }, false);
    s.get("lexicon.config", OBJ, "an object", nullptr, false);
  } else if (data.contains("lexicon")) {
    throw BundleError(mpath + ": field 'lexicon' describes a lexicon but 'files' lists none; expected both or neither");
  }
  for (const char* field : {"model_config", "training", "evaluation"}) s.get(field, OBJ, "an object", nullptr, false);
}

Manifest read_manifest(const std::string& bundle) {
  struct stat st;
  if (stat(bundle.c_str(), &st) != 0) throw BundleError("bundle " + bundle + " does not exist");
  if (!S_ISDIR(st.st_mode))
    throw BundleError("bundle " + bundle + " is not a folder (expected manifest.json, model.tflite, tokenizer.model)");
  std::string mpath = bundle + "/" + kManifest;
  if (stat(mpath.c_str(), &st) != 0) throw BundleError("bundle " + bundle + " has no manifest.json");
  struct stat mst = inside(bundle, kManifest, "the manifest");
  if (mst.st_size > kMaxManifestBytes)
    throw BundleError(mpath + " is " + std::to_string(mst.st_size) + " bytes; a manifest is at most " + std::to_string(kMaxManifestBytes));
  std::ifstream f(mpath, std::ios::binary);
  if (!f) throw BundleError("cannot read " + mpath);
  std::string raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  json data;
  try {
    data = json::parse(raw);  // rejects NaN, Infinity and text that is not UTF-8
  } catch (const json::parse_error& e) {
    throw BundleError(mpath + " is not valid JSON (at byte " + std::to_string(e.byte) + ")");
  }
  if (depth(data) > kMaxManifestDepth)
    throw BundleError(mpath + " nests more than " + std::to_string(kMaxManifestDepth) + " levels deep; the format needs 6");
  validate(mpath, data);
  Manifest m{bundle, data};
  std::vector<std::pair<std::string, std::string>> checked;  // every size first: no file is hashed if any is wrong
  for (auto it = data["files"].begin(); it != data["files"].end(); ++it) {
    std::string name = it.value();
    struct stat fst = inside(bundle, name, it.key() + " file");
    long want = data["size_bytes"][name];
    if (fst.st_size != want)
      throw BundleError("bundle " + bundle + ": " + name + " is corrupt or was replaced: it is " + std::to_string(fst.st_size) +
                        " bytes but manifest size_bytes is " + std::to_string(want) + ", so its sha256 cannot match");
    checked.push_back({bundle + "/" + name, name});
  }
  for (const auto& [p, name] : checked) {
    std::string want = data["sha256"][name], got = sha256_file(p);
    if (want != got)
      throw BundleError("bundle " + bundle + ": " + name + " is corrupt or was replaced: sha256 " + got + " != manifest " + want);
  }
  return m;
}

namespace {
std::unique_ptr<sentencepiece::SentencePieceProcessor> load_tokenizer(const Manifest& m) {
  std::string path = m.file("tokenizer");
  auto sp = std::make_unique<sentencepiece::SentencePieceProcessor>();
  std::ifstream f(path, std::ios::binary);
  if (!f) throw BundleError("cannot read " + path);
  std::string raw((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  if (!sp->LoadFromSerializedProto(raw).ok())
    throw BundleError(path + " is not a SentencePiece model that loads (a damaged or foreign file)");
  int n = sp->GetPieceSize();
  if (n != m.vocab_size())
    throw BundleError("bundle " + m.path + ": tokenizer has " + std::to_string(n) + " pieces but manifest vocab_size is " +
                      std::to_string(m.vocab_size()));
  const json& special = m.data["special_tokens"];
  const std::pair<const char*, int> ids[] = {{"eos", sp->eos_id()}, {"pad", sp->pad_id()}, {"unk", sp->unk_id()}, {"bos", sp->bos_id()}};
  for (const auto& [tok, got] : ids)
    if (got != special[tok].get<int>())
      throw BundleError("bundle " + m.path + ": tokenizer " + tok + " id " + std::to_string(got) + " != manifest special_tokens." +
                        tok + " " + std::to_string(special[tok].get<int>()) + " (" + path + ")");
  Sha256 h;
  int bytes = 0;
  for (int i = 0; i < n; ++i) {
    const std::string& piece = sp->IdToPiece(i);
    h.update(piece.data(), piece.size());
    h.update("\n", 1);
    bool is_byte = sp->IsByte(i);
    bytes += is_byte;
    if (is_byte) continue;
    int digits = 0;  // manifest tokenizer.split_digits: no piece holds two ASCII digits
    for (char c : piece) digits += c >= '0' && c <= '9';
    if (digits > 1)
      throw BundleError(path + ": piece " + std::to_string(i) + " holds more than one digit: the tokenizer was not trained with "
                        "the digit splitting that manifest tokenizer.split_digits says");
  }
  std::string got = h.hexdigest(), want = m.data["tokenizer"]["pieces_sha256"];
  if (got != want)
    throw BundleError("bundle " + m.path + ": the tokenizer is not the one the model was trained with: pieces fingerprint " +
                      got + " != manifest tokenizer.pieces_sha256 " + want);
  if (bytes != kBytePieces)
    throw BundleError(path + " has " + std::to_string(bytes) + " byte pieces, not 256: it was not trained with the byte "
                      "fallback that manifest tokenizer.byte_fallback says");
  return sp;
}

void check_agreement(const Manifest& m) {
  std::string mpath = m.path + "/" + kManifest;
  const json& sig = m.data["signatures"]["step"];
  for (const char* side : {"inputs", "outputs"}) {
    for (auto it = sig[side].begin(); it != sig[side].end(); ++it) {
      const std::string& t = it.key();
      if (t == "tokens") continue;
      bool is_state = t == "state";
      long want = is_state ? m.state_size() : m.vocab_size();
      const json& shape = it.value()["shape"];
      if (shape[1] != want)
        throw BundleError(mpath + ": field 'signatures.step." + side + "." + t + ".shape' is " + show(shape) + "; expected [-1, " +
                          std::to_string(want) + "]: its " + (is_state ? "state width " : "vocabulary width ") +
                          shape[1].dump() + " != " + (is_state ? "state.size " : "vocab_size ") + std::to_string(want));
    }
  }
  long covered = 0;
  for (const auto& p : m.data["state"]["layout"]) covered += p["size"].get<long>();
  if (covered != m.state_size())
    throw BundleError(mpath + ": field 'state.layout' covers " + std::to_string(covered) + " values but state.size is " +
                      std::to_string(m.state_size()));
  if (m.data.contains("model_config")) {
    const json& mc = m.data["model_config"];
    if (mc.contains("vocab_size") && mc["vocab_size"] != m.vocab_size())
      throw BundleError(mpath + ": field 'model_config.vocab_size' is " + show(mc["vocab_size"]) + "; expected vocab_size " +
                        std::to_string(m.vocab_size()));
    if (mc.contains("num_layers") && mc["num_layers"] != m.data["state"]["layout"].size())
      throw BundleError(mpath + ": field 'model_config.num_layers' is " + show(mc["num_layers"]) + "; expected " +
                        std::to_string(m.data["state"]["layout"].size()) + ", the layers in state.layout");
  }
}
}  // namespace

Bundle Bundle::open(const std::string& path) {
  Bundle b;
  b.manifest = read_manifest(path);
  b.sp = load_tokenizer(b.manifest);
  check_agreement(b.manifest);
  std::string code = b.manifest.data.value("language", std::string("en"));
  b.pack = get_pack(code);
  if (!b.pack)
    throw BundleError("bundle " + path + ": manifest.json language: no language pack '" + code +
                      "' in the native engine (it has ['en'])");
  if (b.manifest.data["files"].contains("lexicon"))
    b.lexicon = std::make_unique<Lexicon>(Lexicon::read(b.manifest.file("lexicon"), b.manifest.data["lexicon"]["entries"], *b.pack));
  return b;
}

}  // namespace nextkey
