// The engine's settings (engine/settings.py), read from the bundle's manifest ("settings"; absent:
// the defaults the shipped engine was tuned with). Throws BundleError naming the field.
#pragma once
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "decoder.h"
#include "keyboard.h"
#include "tracker.h"

namespace nextkey {

struct EngineSettings {
  DecoderConfig decoder;
  WindowConfig window;
  SlipConfig slips;
  std::map<std::string, double> weights{{"prior", 0.05}, {"memory", 0.25}};
  int prior_words = 3, memory_words = 8;
  double memory_pair_share = 0.7;
  int max_partial = 40, ahead_steps = 2;
  long compound_rank = 20000;
  double compound_logprob = -2.0;

  static EngineSettings from_json(const nlohmann::json& data);  // std::invalid_argument naming the field
};

}  // namespace nextkey
