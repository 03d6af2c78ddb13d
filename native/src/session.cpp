#include "session.h"

#include <algorithm>
#include <cmath>

#include "engine.h"
#include "memory.h"
#include "text.h"

namespace nextkey {

namespace {
const u32 TAILS = U"stdmlrv";  // letters after an apostrophe in a possessive or contraction
}

Session::Session(Engine& engine, bool learn) : engine_(engine), learn_(learn) {
  const Manifest& m = engine.bundle().manifest;
  const LanguagePack& pack = engine.pack();
  const EngineSettings& s = engine.settings;
  runner_ = engine.new_runner();
  stack_ = std::make_unique<StateStack>(*runner_, *engine.bundle().sp, m.start_id(), m.eos_id(), pack);
  decoder_ = std::make_unique<WordDecoder>(*runner_, *engine.vocab, s.decoder, engine.walk.get(), pack);
  Engine* e = &engine;
  model_ = std::make_unique<ModelSource>(*decoder_, [e](const u32& w) { return e->encode(w); }, pack);
  std::vector<Source*> sources;
  for (auto& src : engine.sources) sources.push_back(src.get());
  combiner_ = std::make_unique<Combiner>(sources, s.weights);
  long rank = s.compound_rank;
  double min_logp = s.compound_logprob;
  selector_ = std::make_unique<Selector>(
      pack, [e](const u32& w) { return e->memory->blocklist.is_blocked(w); },
      [e, rank, min_logp](const u32& stem, const u32& part, double logp) {
        return e->known->compound_ok(stem, part, logp, rank, min_logp);
      },
      [e](const u32& w) { return e->user_spelling(w); },
      engine.bundle().lexicon ? HasForm([lex = engine.bundle().lexicon.get()](const u32& w) { return lex->has_form(w); })
                              : HasForm());
  const Lexicon* lex = engine.bundle().lexicon.get();
  if (engine.slips) corrections_ = std::make_unique<Corrections>(*engine.slips, *lex, *model_, *combiner_, pack);
  if (lex) contractions_ = std::make_unique<Contractions>(pack, *lex, *model_, *combiner_);
  pipeline_ = std::make_unique<Pipeline>(*model_, *combiner_, *selector_, corrections_.get(),
                                         [e](const u32& w) { return e->known->known(w); }, contractions_.get());
}

Session::~Session() = default;

void Session::set_text(const u32& text) {
  text_ = text;
  auto_space_ = -1;
}

void Session::type(const u32& chars) {
  const LanguagePack& pack = engine_.pack();
  u32 text = text_;
  long len = long(text.size());
  char32_t c0 = chars.empty() ? 0 : chars[0], c1 = chars.size() > 1 ? chars[1] : 0;
  if (auto_space_ == len && (takes_space(text, chars) || (c0 && contains(pack.apostrophes, c0) && c1 && contains(TAILS, c1)))) {
    text.pop_back();
  } else if (auto_space_ == len - 1 && ends_with(text, U" '") && c0 && contains(TAILS, c0)) {
    text = text.substr(0, text.size() - 2) + U"'";  // "James '" + "s": the apostrophe was a possessive's
  }
  auto_space_ = auto_space_ == long(text_.size()) && chars == U"'" ? long(text.size()) : -1;
  text_ = text + chars;
  if (learn_) learn_commits();
}

void Session::set_learning(bool learn) {
  if (learn && !learn_) seen_ = text_;
  learn_ = learn;
}

// Learns the words completed since the last look, when the text grew by typing (session.py
// _learn_commits): a word is learned when the whitespace after its chunk is typed, so an address
// ("https:" becoming "https://...") shows what it is first. More than 200 characters at once is a
// paste, not typing; an edit or a cursor move (the text no longer starts with the old) learns nothing.
void Session::learn_commits() {
  const LanguagePack& pack = engine_.pack();
  u32 old = seen_;
  const u32& now = text_;
  seen_ = now;
  if (now.size() <= old.size() || now.size() - old.size() > 200 || now.compare(0, old.size(), old) != 0) return;
  size_t start = old.size() > 64 ? old.size() - 64 : 0;
  std::optional<u32> prev;
  for (auto& [at0, word] : learnable_words(now.substr(start), pack)) {
    size_t at = at0 + start, gap = at + word.size();
    while (gap < now.size() && !is_space(now[gap])) ++gap;
    // (a word at the lookback's start may be cut: skipped, unless it starts the text)
    if (gap < now.size() && gap >= old.size() && (at > start || start == 0)) {
      u32 before = now.substr(0, at);
      std::unique_lock<std::shared_mutex> w(engine_.memory_lock);
      engine_.memory->observe(learned_form(word, pack), prev ? prev : last_word(before, pack), starts_sentence(before));
    }
    prev = learned_form(word, pack);
  }
}

void Session::backspace(size_t k) {
  text_.resize(text_.size() - std::min(k, text_.size()));
  auto_space_ = -1;
}

void Session::accept(const u32& word) {
  const LanguagePack& pack = engine_.pack();
  text_ = nextkey::accept(text_, word, pack);
  auto_space_ = long(text_.size());
  if (learn_) {
    u32 base = text_.substr(0, text_.size() - word.size() - 1);
    std::unique_lock<std::shared_mutex> w(engine_.memory_lock);
    engine_.memory->observe(word, last_word(base, pack), starts_sentence(base));
    seen_ = text_;
  }
}

bool Session::starts_sentence(const u32& before) const {
  const LanguagePack& pack = engine_.pack();
  u32 tail = before.size() > 300 ? before.substr(before.size() - 300) : before;
  size_t start = sentence_start(tail, pack);
  u32 rest = strip(strip(tail.substr(start), U" \t\n\r\v\f", true, true), pack.opening_quotes, true, false);
  return rest.empty() && (start > 0 || before.size() <= 300);
}

Context Session::context() const {
  std::shared_lock<std::shared_mutex> r(engine_.memory_lock);
  return engine_.context(text_);
}

std::shared_ptr<Position> Session::position(const SnapshotPtr& top) {
  if (!pos_ || pos_->top != top) {
    if (top == stack_->snapshots()[0]) {
      if (!root_pos_) root_pos_ = std::make_shared<Position>(top);
      pos_ = root_pos_;
    } else {
      auto kept = std::find_if(recent_.begin(), recent_.end(), [&](auto& p) { return p->top == top; });
      if (kept != recent_.end()) {
        pos_ = *kept;
        recent_.erase(kept);
        recent_.push_back(pos_);  // the most recently used last
      } else {
        pos_ = std::make_shared<Position>(top);
        if (recent_.size() >= MAX_RECENT) recent_.erase(recent_.begin());
        recent_.push_back(pos_);
      }
    }
  }
  return pos_;
}

u32 Session::apostrophe() const {
  const u32& aps = engine_.pack().apostrophes;
  u32 tail = text_.size() > 500 ? text_.substr(text_.size() - 500) : text_;
  char32_t best = aps[0];
  long best_at = -2;
  for (char32_t a : aps) {
    size_t at = tail.rfind(a);
    long v = at == u32::npos ? -1 : long(at);
    if (v > best_at) best_at = v, best = a;
  }
  return u32(1, best);
}

std::vector<Suggestion> Session::suggest(int n) {
  if (n == 0) return {};
  if (learn_) learn_commits();
  std::shared_lock<std::shared_mutex> reading(engine_.memory_lock);  // (after learning: that writes)
  const LanguagePack& pack = engine_.pack();
  const EngineSettings& s = engine_.settings;
  Context ctx = engine_.context(text_);
  SnapshotPtr top;
  if (pos_) {
    std::shared_ptr<Position> searched = pos_;
    top = stack_->sync(ctx.units, searched->top,
                       [searched](const std::vector<int>& path) { return searched->nodes.get(path); });
  } else {
    top = stack_->sync(ctx.units);
  }
  std::shared_ptr<Position> pos = position(top);
  stack_->feed_ahead(ctx.ahead, s.ahead_steps);
  size_t limit = size_t(s.max_partial);
  if (ctx.partial.size() > limit || partial_word(text_, pack).size() > limit || in_address(text_)) return {};
  u32 ap = apostrophe();
  auto& answers = pos->answers_for(engine_.memory->version());
  Position::AnswerKey key{ctx.stem, ctx.partial, ctx.needs_space, ctx.sentence_start, n, ap};
  auto it = answers.find(key);
  if (it != answers.end()) return it->second;
  pos->bound();
  Query q;
  q.typed = ctx.partial;
  q.folded = pack.fold(ctx.partial);
  if (!ctx.units.empty()) {
    q.prev = last_word(ctx.units.back(), pack);
    size_t from = ctx.units.size() >= 2 ? ctx.units.size() - 2 : 0;
    u32 joined = ctx.units[from];
    for (size_t i = from + 1; i < ctx.units.size(); ++i) joined += U" " + ctx.units[i];
    if (joined.size() > 120) joined = joined.substr(joined.size() - 120);
    auto words = pack.find_words(joined);
    for (size_t i = words.size() >= 2 ? words.size() - 2 : 0; i < words.size(); ++i) q.context.push_back(words[i].second);
  }
  q.needs_space = ctx.needs_space;
  q.sentence_start = ctx.sentence_start;
  q.n = n;
  q.apostrophe = ap;
  q.stem = ctx.stem;
  std::vector<Suggestion> found = pipeline_->predict(q, *pos);
  answers[key] = found;
  return found;
}

}  // namespace nextkey

namespace nextkey {

// The likeliest next characters of the word being typed, best first (at most MAX_PLAN): by the
// probability mass of the words the model's search found for the typed prefix (the position's
// memo of the last suggestions), the words shown weighed down (a user who sees the word taps it
// rather than typing on), then by the lexicon's most frequent completions. Each in the case it
// would be typed: the word's own spelling, capitalized at a sentence's start.
u32 Session::next_letters(const Context& ctx, const std::vector<u32>& shown, int n) {
  constexpr double SHOWN = 0.25;  // weight of a word already among the n shown
  const LanguagePack& pack = engine_.pack();
  // Inside a word, 12 letters; a word's first letter is the hardest to guess: 26.
  const size_t MAX_PLAN = ctx.partial.empty() ? 26 : 12;
  u32 folded = pack.fold(ctx.partial);
  bool capital = ctx.partial.empty() ? ctx.sentence_start : (ctx.partial.size() >= 2 && is_upper(ctx.partial));
  // The character a word continues the typed prefix with (0: none), in the case it is typed.
  auto next_of = [&](const u32& word) -> char32_t {
    u32 f = pack.fold(word);
    if (word.size() <= folded.size() || f.size() != word.size() || f.compare(0, folded.size(), folded) != 0) return 0;
    return capital ? to_upper(word[folded.size()]) : word[folded.size()];
  };
  std::vector<std::pair<char32_t, double>> mass;
  if (pos_) {
    auto it = pos_->searches.find(std::make_tuple(folded, ctx.needs_space, n));
    if (it != pos_->searches.end()) {
      for (auto& [w, score] : it->second) {
        char32_t c = next_of(w);
        if (!c) continue;
        u32 key = pack.fold(w);
        bool is_shown = std::any_of(shown.begin(), shown.end(), [&](const u32& s) { return pack.fold(s) == key; });
        double p = std::exp(score) * (is_shown ? SHOWN : 1.0);
        auto f = std::find_if(mass.begin(), mass.end(), [c](auto& m) { return m.first == c; });
        if (f == mass.end()) mass.emplace_back(c, p);
        else f->second += p;
      }
    }
  }
  std::stable_sort(mass.begin(), mass.end(), [](auto& a, auto& b) { return a.second > b.second; });
  u32 plan;
  for (auto& m : mass) plan += m.first;
  // Then the lexicon's most frequent words after the typed prefix, and after the part past its
  // last hyphen: "non-inte" continues as "non-interest-bearing" or, typed on, as "non-" + "intel".
  if (const Lexicon* lex = engine_.bundle().lexicon.get()) {
    std::vector<u32> prefixes{folded};
    size_t hyphen = folded.find_last_of(U"-");
    if (hyphen != u32::npos && hyphen + 1 < folded.size()) prefixes.push_back(folded.substr(hyphen + 1));
    for (const u32& prefix : prefixes)
      for (long i : lex->completions(prefix, ctx.partial.empty() ? 1024 : 64)) {
        if (plan.size() >= MAX_PLAN) break;
        const u32& form = lex->forms()[size_t(i)];
        if (form.size() <= prefix.size() || pack.fold(form).size() != form.size()) continue;
        char32_t c = capital ? to_upper(form[prefix.size()]) : form[prefix.size()];
        if (plan.find(c) == u32::npos) plan += c;
      }
  }
  if (plan.size() > MAX_PLAN) plan.resize(MAX_PLAN);
  return plan;
}

std::vector<Session::Guess> Session::plan_guesses(int n) {
  std::vector<Guess> plan;
  Context ctx = engine_.context(text_);
  std::vector<u32> shown;  // the words shown: the action a typist who sees the word takes
  if (pos_)
    for (auto& [key, found] : pos_->answers)
      if (std::get<1>(key) == ctx.partial && std::get<0>(key) == ctx.stem && std::get<4>(key) == n)
        for (auto& s : found) shown.push_back(s.word);
  for (const u32& w : shown) plan.push_back({w, U""});
  if (!ctx.partial.empty()) plan.push_back({U"", U" "});
  for (char32_t c : next_letters(ctx, shown, n)) plan.push_back({U"", u32(1, c)});
  if (!strip(text_, U" ", true, true).empty()) plan.push_back({U"", U"."}), plan.push_back({U"", U","});
  for (const u32& w : shown) plan.push_back({w, U"."}), plan.push_back({w, U","});
  return plan;
}

size_t Session::prefetch(int n, size_t guesses) {
  if (n <= 0 || guesses == 0) return 0;
  if (plan_text_ != text_) {
    plan_ = plan_guesses(n);
    plan_text_ = text_;
    plan_at_ = 0;
  }
  size_t done = 0;
  while (done < guesses && plan_at_ < plan_.size()) {
    const Guess& g = plan_[plan_at_++];
    // Make the guess, ask, and put everything back as it was, also when the asking throws.
    struct Restore {
      Session& s;
      u32 text, seen;
      long auto_space;
      bool learn;
      std::shared_ptr<Position> pos;
      StateStack::Saved stack;
      ~Restore() {
        s.text_ = text, s.seen_ = seen, s.auto_space_ = auto_space, s.learn_ = learn, s.pos_ = pos;
        s.stack_->restore(std::move(stack));
      }
    } restore{*this, text_, seen_, auto_space_, learn_, pos_, stack_->save()};
    learn_ = false;  // a guess must never be learned
    if (!g.accept.empty()) accept(g.accept);
    if (!g.chars.empty()) type(g.chars);
    suggest(n);
    ++done;
  }
  return done;
}

}  // namespace nextkey
