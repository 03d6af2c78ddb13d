// The errors the engine raises at its edges (engine/errors.py): a bad bundle is a BundleError whose
// message names the file and the values found.
#pragma once
#include <stdexcept>
#include <string>

namespace nextkey {

struct BundleError : std::runtime_error {
  explicit BundleError(const std::string& what) : std::runtime_error(what) {}
};

struct EngineError : std::runtime_error {
  explicit EngineError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace nextkey
