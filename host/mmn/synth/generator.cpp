#include "mmn/synth/generator.h"

#include "mmn/util/error.h"
#include "mmn/util/rng.h"

namespace mmn::synth {

const char* split_name(std::size_t split) {
  switch (split) {
    case kTrain: return "train";
    case kTest: return "test";
    case kHeldout: return "heldout";
    default: return "?";
  }
}

Generator::Generator(SynthConfig config, std::uint64_t seed, std::vector<std::uint32_t> holdout, ThreadPool* pool)
    : config_((config.validate(), std::move(config))),
      seed_(seed),
      schema_(config_.schema()),
      plan_(plan_domains(config_, seed)),
      features_(config_, seed, pool),
      truth_(config_, plan_, features_, seed, pool),
      domain_sampler_(plan_.traffic),
      holdout_(std::move(holdout)),
      held_(plan_.n_domains(), 0) {
  for (const std::uint32_t d : holdout_) {
    if (d >= plan_.n_domains() || plan_.present[d] == 0) fail("synth: held-out domain {} is not a present domain", d);
    held_[d] = 1;
  }
}

void Generator::generate_block(std::uint64_t block, std::size_t rows, SplitBlocks& out) const {
  if (rows > kBlockRows) fail("synth: {} rows asked of a block of {}", rows, kBlockRows);
  const std::size_t fields = schema_.categorical.size();
  const std::size_t n_dense = schema_.dense.size();
  const std::uint32_t n_s = plan_.n_scenarios;
  // Rows are made here, then gathered by split into `out`. The scratch block is kept
  // per thread: new memory for every block would cost a page fault per 4 KiB.
  thread_local ColumnBlock all;
  thread_local std::vector<std::uint8_t> split;
  all.resize(schema_, rows);
  split.resize(rows);
  // Features and labels come from two streams of the block, so that the features of
  // row i + 1 can be drawn (and their latent vectors fetched) before row i's labels
  // without changing any value.
  Rng feature_rng(seed_, RngStream::rows, 2 * block);
  Rng label_rng(seed_, RngStream::rows, 2 * block + 1);
  std::vector<std::uint32_t> ids(2 * fields);
  std::vector<float> dense(2 * n_dense);
  std::uint32_t domain[2] = {0, 0};
  auto draw_features = [&](std::size_t slot) {
    domain[slot] = domain_sampler_(feature_rng.next());
    features_.draw(feature_rng, domain[slot] % n_s, ids.data() + slot * fields, dense.data() + slot * n_dense);
    truth_.prefetch(ids.data() + slot * fields);
  };
  if (rows > 0) draw_features(0);
  for (std::size_t i = 0; i < rows; ++i) {
    const std::size_t slot = i & 1;
    if (i + 1 < rows) draw_features(slot ^ 1);
    const std::uint32_t d = domain[slot];
    const std::uint32_t t = d / n_s, s = d % n_s;
    const std::uint32_t* row_ids = ids.data() + slot * fields;  // data(): either may be empty
    const float* row_dense = dense.data() + slot * n_dense;
    const TrueLogits z = truth_.logits(row_ids, row_dense, t, s);
    const float p_ctr = GroundTruth::probability(z.ctr);
    const float p_cvr = GroundTruth::probability(z.cvr);
    const std::uint8_t click = label_rng.uniform() < static_cast<double>(p_ctr) ? 1 : 0;
    const std::uint8_t converted = label_rng.uniform() < static_cast<double>(p_cvr) ? 1 : 0;
    const bool test = label_rng.uniform() < config_.test_fraction;
    all.click[i] = click;
    all.conv[i] = click & converted;
    all.type[i] = static_cast<std::uint16_t>(t);
    all.scenario[i] = static_cast<std::uint16_t>(s);
    for (std::size_t f = 0; f < fields; ++f) all.categorical[f][i] = row_ids[f];
    for (std::size_t j = 0; j < n_dense; ++j) all.dense[j][i] = row_dense[j];
    all.p_ctr[i] = p_ctr;
    all.p_cvr[i] = p_cvr;
    split[i] = static_cast<std::uint8_t>(held_[d] != 0 ? kHeldout : (test ? kTest : kTrain));
  }

  // Gather each split's rows, in row order.
  std::array<std::size_t, kSplits> count{};
  for (const auto k : split) count[k] += 1;
  std::array<std::vector<std::uint32_t>, kSplits> rows_of;
  for (std::size_t k = 0; k < kSplits; ++k) rows_of[k].reserve(count[k]);
  for (std::size_t i = 0; i < rows; ++i) rows_of[split[i]].push_back(static_cast<std::uint32_t>(i));
  for (std::size_t k = 0; k < kSplits; ++k) {
    ColumnBlock& b = out[k];
    b.resize(schema_, count[k]);
    const auto& idx = rows_of[k];
    auto gather = [&idx](auto& to, const auto& from) {
      for (std::size_t i = 0; i < idx.size(); ++i) to[i] = from[idx[i]];
    };
    gather(b.click, all.click);
    gather(b.conv, all.conv);
    gather(b.type, all.type);
    gather(b.scenario, all.scenario);
    for (std::size_t f = 0; f < fields; ++f) gather(b.categorical[f], all.categorical[f]);
    for (std::size_t j = 0; j < n_dense; ++j) gather(b.dense[j], all.dense[j]);
    gather(b.p_ctr, all.p_ctr);
    gather(b.p_cvr, all.p_cvr);
  }
}

}  // namespace mmn::synth
