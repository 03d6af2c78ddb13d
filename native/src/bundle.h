// A model bundle on disk, opened and checked (engine/bundle.py): the manifest's fields, each file's
// place, size and sha256, the tokenizer against the manifest, the fields that must agree, the
// lexicon. Every refusal is a BundleError naming the file and the values found.
#pragma once
#include <memory>
#include <string>

#include <nlohmann/json.hpp>
#include <sentencepiece_processor.h>

#include "lang.h"
#include "lexicon.h"

namespace nextkey {

struct Manifest {
  std::string path;  // the bundle folder
  nlohmann::json data;
  int vocab_size() const { return data["vocab_size"]; }
  int state_size() const { return data["state"]["size"]; }
  int eos_id() const { return data["special_tokens"]["eos"]; }
  int start_id() const { return data["special_tokens"]["start_of_text"]; }
  std::string file(const std::string& role) const { return path + "/" + data["files"][role].get<std::string>(); }
};

Manifest read_manifest(const std::string& bundle);
void validate(const std::string& mpath, const nlohmann::json& data);

struct Bundle {
  Manifest manifest;
  std::unique_ptr<sentencepiece::SentencePieceProcessor> sp;
  std::unique_ptr<Lexicon> lexicon;  // null: a bundle without one
  const LanguagePack* pack = nullptr;
  static Bundle open(const std::string& path);
};

}  // namespace nextkey
