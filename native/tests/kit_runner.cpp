// Runs the conformance kit (engine/conformance/default.json) against the native engine:
//   kit_runner BUNDLE_DIR KIT.json
// Checks every case within the kit's tolerances, as engine/conformance check_kit does: the
// tokenizer, context and step cases, the suggestion traces (check_strip's rule: alternates may
// take a close race's last slots, close scores may swap) and the Session edits. Exit status: 0 all checked cases pass, 1 a case fails, 2 the kit or bundle
// cannot be used.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine.h"
#include "errors.h"

using nlohmann::json;
using namespace nextkey;

namespace {
int failures = 0;
void failure(const std::string& where, const std::string& what) {
  ++failures;
  std::printf("FAIL %s: %s\n", where.c_str(), what.c_str());
}

std::vector<float> initial_state(const std::string& init, int rows, int size) {
  std::vector<float> s(size_t(rows) * size, 0.f);
  if (init == "zeros") return s;
  if (init == "pattern7") {  // conformance.initial_state: state[i] = ((i mod 7) - 3) / 8
    for (size_t r = 0; r < size_t(rows); ++r)
      for (int i = 0; i < size; ++i) s[r * size + i] = float((i % 7) - 3) / 8.f;
    return s;
  }
  throw std::runtime_error("unknown init " + init);
}

void check_step(Engine& eng, const json& c, const json& tol) {
  const std::string name = "step '" + c["name"].get<std::string>() + "'";
  const auto& rows = c["rows"];
  int b = int(rows.size()), v = eng.bundle().manifest.vocab_size(), s = eng.bundle().manifest.state_size();
  std::vector<float> state = initial_state(c["init"], b, s), lp(size_t(b) * v), out(state.size());
  size_t t_len = rows[0].size();
  for (size_t t = 0; t < t_len; ++t) {  // rows in lockstep as one batch
    std::vector<int32_t> tok(b);
    for (int r = 0; r < b; ++r) tok[r] = rows[r][t];
    std::vector<const float*> in_rows;
    std::vector<float*> lp_rows, out_rows;
    for (int r = 0; r < b; ++r) {
      in_rows.push_back(state.data() + size_t(r) * s);
      lp_rows.push_back(lp.data() + size_t(r) * v);
      out_rows.push_back(out.data() + size_t(r) * s);
    }
    eng.runner().step(tok.data(), in_rows.data(), b, lp_rows.data(), out_rows.data());
    state = out;
  }
  double tl = tol["logprob"], ts = tol["state"];
  for (int r = 0; r < b; ++r) {
    std::string where = name + " row " + std::to_string(r);
    const float* row = lp.data() + size_t(r) * v;
    std::vector<int> recorded;
    for (const auto& pair : c["top_k"][r]) {
      int i = pair[0];
      double want = pair[1];
      recorded.push_back(i);
      if (std::fabs(row[i] - want) > tl)
        failure(where, "logprob of id " + std::to_string(i) + " is " + std::to_string(row[i]) + ", expected " + std::to_string(want));
    }
    size_t k = recorded.size();
    std::vector<int> order(v);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int x, int y) { return row[x] > row[y]; });
    double floor = c["floor"][r];
    for (size_t j = 0; j < k; ++j) {
      int i = order[j];
      if (std::find(recorded.begin(), recorded.end(), i) == recorded.end() && row[i] > floor + tl)
        failure(where, "top-" + std::to_string(k) + " id " + std::to_string(i) + " is not among the expected ids and beats their floor");
    }
    int stride = c["state_stride"];
    const auto& sample = c["state_sample"][r];
    for (size_t j = 0; j < sample.size(); ++j) {
      float got = state[size_t(r) * s + j * stride];
      if (std::fabs(got - sample[j].get<double>()) > ts) {
        failure(where, "state sample differs at [" + std::to_string(j * stride) + "] " + std::to_string(got) + " vs " +
                           std::to_string(sample[j].get<double>()));
        break;
      }
    }
  }
}
std::string kind_name(Kind k) { return k == Kind::NEXT ? "next" : "completion"; }

// engine/conformance/__init__.py check_strip
void check_strip(const std::string& where, const json& expect, const json& alternates, const json& got, double tol) {
  auto words = [](const json& list) {
    json out = json::array();
    for (const auto& s : list) out.push_back(s["word"]);
    return out.dump();
  };
  if (got.size() != expect.size())
    failure(where, std::to_string(got.size()) + " suggestions " + words(got) + ", expected " +
                       std::to_string(expect.size()) + " " + words(expect));
  auto find = [](const json& list, const json& w) -> const json* {
    for (const auto& s : list)
      if (s["word"] == w) return &s;
    return nullptr;
  };
  for (const auto& s : got) {
    const json* want = find(expect, s["word"]);
    if (!want) want = find(alternates, s["word"]);
    if (!want) {
      failure(where, "unexpected word " + s["word"].dump() + " (expected " + words(expect) + ")");
      continue;
    }
    for (const char* key : {"kind", "corrected"})
      if (s[key] != (*want)[key])
        failure(where, s["word"].dump() + ": " + key + " " + s[key].dump() + ", expected " + (*want)[key].dump());
    double d = std::fabs(s["score"].get<double>() - (*want)["score"].get<double>());
    if (d > tol)
      failure(where, s["word"].dump() + ": score " + std::to_string(s["score"].get<double>()) + ", expected " +
                         std::to_string((*want)["score"].get<double>()) + " (|diff| " + std::to_string(d) + ")");
  }
  double best_alt = -INFINITY;
  for (const auto& s : got)
    if (const json* a = find(alternates, s["word"])) best_alt = std::max(best_alt, (*a)["score"].get<double>());
  for (const auto& e : expect)
    if (!find(got, e["word"]) && e["score"].get<double>() > best_alt + 2 * tol)
      failure(where, "missing word " + e["word"].dump() + " (score " + std::to_string(e["score"].get<double>()) +
                         "); got " + words(got));
  std::vector<std::optional<double>> ref;
  for (const auto& s : got) {
    const json* w = find(expect, s["word"]);
    if (!w) w = find(alternates, s["word"]);
    ref.push_back(w ? std::optional<double>((*w)["score"].get<double>()) : std::nullopt);
  }
  for (size_t i = 0; i < got.size(); ++i)
    for (size_t j = i + 1; j < got.size(); ++j)
      if (ref[i] && ref[j] && *ref[j] - *ref[i] > 2 * tol)
        failure(where, "order: " + got[i]["word"].dump() + " before " + got[j]["word"].dump());
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: kit_runner BUNDLE_DIR KIT.json\n");
    return 2;
  }
  json kit;
  try {
    std::ifstream f(argv[2]);
    if (!f) throw std::runtime_error(std::string("cannot read ") + argv[2]);
    kit = json::parse(f);
    if (kit.value("format", "") != "nextkey-conformance") throw std::runtime_error("not a nextkey conformance kit");
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kit_runner: %s\n", e.what());
    return 2;
  }
  std::unique_ptr<Engine> eng;
  try {
    EngineSettings settings = EngineSettings::from_json(kit["engine"]["settings"]);
    eng = std::make_unique<Engine>(argv[1], &settings);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kit_runner: %s\n", e.what());
    return 2;
  }
  const Manifest& m = eng->bundle().manifest;
  for (auto it = kit["bundle"]["sha256"].begin(); it != kit["bundle"]["sha256"].end(); ++it)
    if (!m.data["sha256"].contains(it.key()) || m.data["sha256"][it.key()] != it.value()) {
      std::fprintf(stderr, "kit_runner: the kit was made for another bundle (sha256 of %s differs)\n", it.key().c_str());
      return 2;
    }
  const auto& sp = *eng->bundle().sp;
  for (const auto& c : kit["tokenizer"]) {
    std::string where = "tokenizer '" + c["name"].get<std::string>() + "'";
    std::string text = c["text"];
    std::vector<std::string> pieces;
    std::vector<int> ids;
    std::string decoded;
    sp.Encode(text, &pieces);
    sp.Encode(text, &ids);
    sp.Decode(ids, &decoded);
    if (json(pieces) != c["pieces"]) failure(where, "pieces " + json(pieces).dump() + ", expected " + c["pieces"].dump());
    if (json(ids) != c["ids"]) failure(where, "ids " + json(ids).dump() + ", expected " + c["ids"].dump());
    if (decoded != c["decoded"]) failure(where, "decoded " + json(decoded).dump() + ", expected " + c["decoded"].dump());
  }
  for (const auto& c : kit["context"]) {
    std::string where = "context '" + c["name"].get<std::string>() + "'";
    Context ctx = eng->context(c["text"].get<std::string>());
    json units = json::array(), tokens = json::array();
    for (const auto& u : ctx.units) {
      units.push_back(to_utf8(u));
      tokens.push_back(eng->unit_tokens(u));
    }
    const std::pair<const char*, json> got[] = {{"units", units}, {"partial", to_utf8(ctx.partial)},
                                                {"needs_space", ctx.needs_space}, {"sentence_start", ctx.sentence_start},
                                                {"tokens", tokens}};
    for (const auto& [key, value] : got)
      if (value != c[key]) failure(where, std::string(key) + " " + value.dump() + ", expected " + c[key].dump());
  }
  for (const auto& c : kit["step"]) check_step(*eng, c, kit["tolerances"]);
  double tol = kit["tolerances"]["score"];
  size_t trace_steps = 0, trace_failed = 0;
  int before = failures;
  for (const auto& t : kit["traces"]) {
    int at_start = failures;
    std::string name = t["name"];
    for (const auto& w : t["blocked"]) eng->memory->block(from_utf8(w.get<std::string>()));
    auto session = eng->session();
    size_t k = 0;
    for (const auto& step : t["steps"]) {
      session->set_text(from_utf8(step["text"].get<std::string>()));
      json got = json::array();
      for (const auto& s : session->suggest(t["n"].get<int>()))
        got.push_back({{"word", to_utf8(s.word)}, {"score", s.score}, {"kind", kind_name(s.kind)}, {"corrected", s.corrected}});
      int f0 = failures;
      check_strip("trace '" + name + "' step " + std::to_string(k) + " " + step["text"].dump(), step["expect"],
                  step["alternates"], got, tol);
      if (failures != f0) {
        ++trace_failed;
        std::printf("     got %s\n", got.dump().c_str());
      }
      ++trace_steps, ++k;
    }
    for (const auto& w : t["blocked"]) eng->memory->unblock(from_utf8(w.get<std::string>()));
    (void)at_start;
  }
  size_t edits = 0;
  if (kit.contains("edits"))
    for (const auto& c : kit["edits"]) {
      ++edits;
      auto session = eng->session();
      for (size_t i = 0; i < c["ops"].size(); ++i) {
        const auto& op = c["ops"][i];
        std::string what = op[0];
        if (what == "text") session->set_text(from_utf8(op[1].get<std::string>()));
        else if (what == "accept") session->accept(from_utf8(op[1].get<std::string>()));
        else if (what == "type") session->type(from_utf8(op[1].get<std::string>()));
        else if (what == "backspace") session->backspace(op[1].get<size_t>());
        else failure("edit '" + c["name"].get<std::string>() + "'", "unknown operation " + what);
        std::string text = to_utf8(session->text());
        if (text != c["texts"][i])
          failure("edit '" + c["name"].get<std::string>() + "' op " + std::to_string(i),
                  "text " + json(text).dump() + ", expected " + c["texts"][i].dump());
      }
    }
  (void)before;
  size_t checked = kit["tokenizer"].size() + kit["context"].size() + kit["step"].size() + trace_steps + edits;
  std::printf("%s: %zu cases checked (tokenizer %zu, context %zu, step %zu, trace %zu, edit %zu), %d failed "
              "(trace steps failed: %zu)\n", failures ? "FAIL" : "PASS", checked, kit["tokenizer"].size(),
              kit["context"].size(), kit["step"].size(), trace_steps, edits, failures, trace_failed);
  return failures ? 1 : 0;
}
