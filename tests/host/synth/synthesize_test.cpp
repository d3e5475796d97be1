#include "mmn/synth/synthesize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <numeric>
#include <set>

#include "mmn/data/dataset.h"
#include "mmn/synth/report.h"
#include "mmn/util/error.h"
#include "mmn/util/file_writer.h"
#include "mmn/util/thread_pool.h"
#include "testing/temp_dir.h"
#include "testing/error_of.h"

namespace mmn::synth {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

using mmn::testing::error_of;

// Small but with the features that matter: absent domains, imbalance, extreme CVRs.
SynthConfig test_config() {
  SynthConfig c;
  c.name = "test";
  c.n_types = 4;
  c.n_scenarios = 5;
  c.categorical = {{"user", 50000, 1.1, false}, {"item", 2000, 1.0, true}, {"site", 30, 1.2, false}};
  c.n_dense = 2;
  c.domain_zipf_exponent = 1.2;
  c.absent_fraction = 0.2;
  c.mean_ctr = 0.3;
  c.rows_per_shard = 40000;  // several shards
  return c;
}

SynthOptions options_for(const std::string& dir, std::uint64_t rows, std::uint64_t seed, std::uint32_t holdout = 0) {
  SynthOptions o;
  o.out_dir = dir;
  o.rows = rows;
  o.seed = seed;
  o.holdout = holdout;
  return o;
}

std::map<std::string, std::string> files_of(const std::string& dir) {
  std::map<std::string, std::string> files;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    files[fs::relative(e.path(), dir).string()] =
        std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  return files;
}

std::size_t shard_count(const std::map<std::string, std::string>& files) {
  return static_cast<std::size_t>(std::count_if(files.begin(), files.end(), [](const auto& f) {
    return f.first.size() > 5 && f.first.compare(f.first.size() - 5, 5, ".mmns") == 0;
  }));
}

// AUC by the rank-sum (Mann-Whitney) formula, ties given their mean rank.
double rank_auc(const std::vector<float>& scores, const std::vector<std::uint8_t>& labels) {
  std::vector<std::size_t> order(scores.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return scores[a] < scores[b]; });
  double positive_rank_sum = 0, positives = 0;
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) ++j;
    const double mean_rank = (static_cast<double>(i + 1) + static_cast<double>(j)) / 2.0;
    for (std::size_t k = i; k < j; ++k)
      if (labels[order[k]] != 0) {
        positive_rank_sum += mean_rank;
        positives += 1;
      }
    i = j;
  }
  const double negatives = static_cast<double>(scores.size()) - positives;
  return (positive_rank_sum - positives * (positives + 1) / 2) / (positives * negatives);
}

struct TypeCounts {
  std::uint64_t rows = 0, clicks = 0, conversions = 0;
  double p_cvr_clicked = 0;  // sum of p_cvr over clicked rows
};

std::vector<TypeCounts> per_type_counts(const Dataset& data) {
  std::vector<TypeCounts> per_type(data.schema().n_types);
  for (const auto& shard : data.shards()) {
    const ColumnView& v = shard.columns();
    for (std::size_t i = 0; i < v.rows; ++i) {
      TypeCounts& c = per_type[v.type[i]];
      c.rows += 1;
      c.clicks += v.click[i];
      c.conversions += v.conv[i];
      if (v.click[i] != 0) c.p_cvr_clicked += v.p_cvr[i];
    }
  }
  return per_type;
}

std::vector<std::uint64_t> domain_rows(const Dataset& data) {
  std::vector<std::uint64_t> rows(data.schema().n_domains(), 0);
  for (const auto& shard : data.shards()) {
    const ColumnView& v = shard.columns();
    for (std::size_t i = 0; i < v.rows; ++i)
      rows[std::size_t{v.type[i]} * data.schema().n_scenarios + v.scenario[i]] += 1;
  }
  return rows;
}

TEST(Synthesize, SameSeedSameBytesOtherSeedOtherBytes) {
  TempDir tmp;
  ThreadPool pool(2);
  synthesize(test_config(), options_for(tmp / "a", 100000, 7, 1), pool);
  synthesize(test_config(), options_for(tmp / "b", 100000, 7, 1), pool);
  synthesize(test_config(), options_for(tmp / "c", 100000, 8, 1), pool);
  const auto a = files_of(tmp / "a"), b = files_of(tmp / "b"), c = files_of(tmp / "c");
  EXPECT_GE(shard_count(a), 4u);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, bytes] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    EXPECT_TRUE(bytes == b.at(name)) << name << " differs between two runs with the same seed";
  }
  for (const auto& [name, bytes] : a) {
    if (name.find(".mmns") == std::string::npos || c.count(name) == 0) continue;
    EXPECT_FALSE(bytes == c.at(name)) << name << " is the same with another seed";
  }
}

TEST(Synthesize, OneThreadAndTwoThreadsWriteTheSameBytes) {
  TempDir tmp;
  ThreadPool one(1), two(2);
  const auto r1 = synthesize(test_config(), options_for(tmp / "one", 150000, 3, 2), one);
  const auto r2 = synthesize(test_config(), options_for(tmp / "two", 150000, 3, 2), two);
  EXPECT_EQ(r1.split_rows, r2.split_rows);
  const auto a = files_of(tmp / "one"), b = files_of(tmp / "two");
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, bytes] : a) {
    ASSERT_TRUE(b.count(name)) << name;
    EXPECT_TRUE(bytes == b.at(name)) << name << " differs between 1 and 2 threads";
  }
}

TEST(Synthesize, GoldenChecksumPinsTheGeneratorAcrossCompilers) {
  // The generator uses only its own PRNG and arithmetic (no std:: distributions or
  // libm), so these bytes are the same with every compiler and library. If the
  // generator is changed on purpose, update the value.
  TempDir tmp;
  ThreadPool pool(2);
  synthesize(tiny_preset(), options_for(tmp / "g", 5000, 2024, 1), pool);
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a over the shard files, in name order
  for (const auto& [name, bytes] : files_of(tmp / "g")) {
    if (name.find(".mmns") == std::string::npos) continue;
    for (const char ch : bytes) hash = (hash ^ static_cast<unsigned char>(ch)) * 0x100000001b3ULL;
  }
  EXPECT_EQ(hash, 0x85a63f6e1a2caefeULL) << std::hex << "hash 0x" << hash;
}

TEST(Synthesize, SplitsHoldTheRightDomains) {
  TempDir tmp;
  ThreadPool pool(2);
  const SynthConfig config = test_config();
  const SynthResult r = synthesize(config, options_for(tmp / "out", 200000, 5, 2), pool);
  ASSERT_EQ(r.holdout.size(), 2u);
  EXPECT_EQ(r.split_rows[kTrain] + r.split_rows[kTest] + r.split_rows[kHeldout], 200000u);
  const Dataset train = Dataset::open(r.split_dirs[kTrain]);
  const Dataset test = Dataset::open(r.split_dirs[kTest]);
  const Dataset heldout = Dataset::open(r.split_dirs[kHeldout]);
  const DomainPlan plan = plan_domains(config, 5);
  std::set<std::uint32_t> held;
  for (const auto& [t, s] : r.holdout) held.insert(plan.index(t, s));
  const auto train_rows = domain_rows(train), test_rows = domain_rows(test), heldout_rows = domain_rows(heldout);
  std::uint32_t absent = 0;
  for (std::uint32_t d = 0; d < plan.n_domains(); ++d) {
    if (plan.present[d] == 0) {
      absent += 1;
      EXPECT_EQ(train_rows[d] + test_rows[d] + heldout_rows[d], 0u) << "absent domain " << d << " has rows";
    } else if (held.count(d) != 0) {
      EXPECT_EQ(train_rows[d] + test_rows[d], 0u) << "held-out domain " << d << " leaks into train/test";
      EXPECT_GT(heldout_rows[d], 100u);
    } else {
      EXPECT_EQ(heldout_rows[d], 0u) << "domain " << d << " in the heldout split";
      EXPECT_GT(train_rows[d], 0u);
    }
  }
  EXPECT_EQ(absent, 4u);
  // The test split is the configured share of the rows outside the held-out domains.
  const double test_share = static_cast<double>(r.split_rows[kTest]) / (r.split_rows[kTrain] + r.split_rows[kTest]);
  EXPECT_NEAR(test_share, config.test_fraction, 0.005);
  // Provenance names the preset, seed, rows and the held-out combinations.
  for (const Dataset* d : {&train, &test, &heldout}) {
    const auto& p = d->provenance();
    EXPECT_EQ(p.at("generator"), "mmn synth");
    EXPECT_EQ(p.at("preset"), "test");
    EXPECT_EQ(p.at("seed"), 5u);
    EXPECT_EQ(p.at("rows"), 200000u);
    ASSERT_EQ(p.at("holdout").size(), 2u);
    EXPECT_EQ(p.at("holdout")[0].at("type_id"), r.holdout[0].first);
    EXPECT_EQ(p.at("holdout")[0].at("scenario_id"), r.holdout[0].second);
    EXPECT_EQ(p.at("holdout")[0].at("type"), type_name(r.holdout[0].first));
    EXPECT_EQ(p.at("split_rows").at("heldout"), r.split_rows[kHeldout]);
  }
  EXPECT_EQ(train.provenance().at("split"), "train");
  EXPECT_EQ(heldout.provenance().at("split"), "heldout");
  EXPECT_EQ(train.dictionaries().types[3], "type03");
  EXPECT_EQ(train.dictionaries().scenarios[4], "scen04");
  EXPECT_TRUE(fs::exists(tmp / "out/synth.json"));
}

TEST(Synthesize, WithoutHoldoutThereIsNoHeldoutSplit) {
  TempDir tmp;
  ThreadPool pool(2);
  const SynthResult r = synthesize(tiny_preset(), options_for(tmp / "out", 3000, 1), pool);
  EXPECT_TRUE(r.split_dirs[kHeldout].empty());
  EXPECT_FALSE(fs::exists(tmp / "out/heldout"));
  EXPECT_EQ(r.split_rows[kTrain] + r.split_rows[kTest], 3000u);
  EXPECT_EQ(Dataset::open(tmp / "out/train").provenance().at("holdout").size(), 0u);
}

TEST(Synthesize, TrafficIsImbalancedAndTypeCvrSpansTheConfiguredRange) {
  TempDir tmp;
  ThreadPool pool(2);
  SynthConfig config = test_config();
  const SynthResult r = synthesize(config, options_for(tmp / "out", 400000, 11), pool);
  const Dataset train = Dataset::open(r.split_dirs[kTrain]);
  const Dataset test = Dataset::open(r.split_dirs[kTest]);
  // Imbalance: the largest domain is far above the median present one.
  auto rows = domain_rows(train);
  const auto test_rows = domain_rows(test);
  for (std::size_t d = 0; d < rows.size(); ++d) rows[d] += test_rows[d];
  std::vector<std::uint64_t> present;
  for (const auto n : rows)
    if (n > 0) present.push_back(n);
  std::sort(present.begin(), present.end());
  EXPECT_GT(static_cast<double>(present.back()) / static_cast<double>(present[present.size() / 2]), 5.0);
  // Per-type CVR: the extreme types against their base rates (all rows: no holdout).
  auto per_type = per_type_counts(train);
  const auto per_type_test = per_type_counts(test);
  for (const std::uint32_t t : {0u, config.n_types - 1}) {
    const double base = t == 0 ? config.min_type_cvr : config.max_type_cvr;
    const double clicks = static_cast<double>(per_type[t].clicks + per_type_test[t].clicks);
    const double conversions = static_cast<double>(per_type[t].conversions + per_type_test[t].conversions);
    const double expected = base * clicks;
    ASSERT_GT(clicks, 2000.0) << "type " << t;
    // Poisson-like tolerance, generous (5 sd), plus the calibration's few percent.
    EXPECT_NEAR(conversions, expected, 5 * std::sqrt(expected) + 0.08 * expected + 3) << "type " << t;
    // The true probabilities average to the base rate with far less noise.
    const double mean_p = (per_type[t].p_cvr_clicked + per_type_test[t].p_cvr_clicked) / clicks;
    EXPECT_NEAR(mean_p / base, 1.0, 0.15) << "type " << t;
  }
  // The overall CTR is the configured one.
  double clicks = 0, total = 0;
  for (std::uint32_t t = 0; t < config.n_types; ++t) {
    clicks += static_cast<double>(per_type[t].clicks);
    total += static_cast<double>(per_type[t].rows);
  }
  EXPECT_NEAR(clicks / total, config.mean_ctr, 0.02);
}

TEST(Synthesize, OracleFiguresAgreeWithAnIndependentAuc) {
  TempDir tmp;
  ThreadPool pool(2);
  const SynthResult r = synthesize(test_config(), options_for(tmp / "out", 120000, 21, 1), pool);
  const SplitReport report = report_split(r.split_dirs[kTrain], &pool);
  const Dataset train = Dataset::open(r.split_dirs[kTrain]);
  std::vector<float> p_ctr, p_cvr;
  std::vector<std::uint8_t> click, conv;
  std::map<std::uint32_t, std::pair<std::vector<float>, std::vector<std::uint8_t>>> by_domain;
  for (const auto& shard : train.shards()) {
    const ColumnView& v = shard.columns();
    for (std::size_t i = 0; i < v.rows; ++i) {
      p_ctr.push_back(v.p_ctr[i]);
      click.push_back(v.click[i]);
      if (v.click[i] == 0) continue;
      p_cvr.push_back(v.p_cvr[i]);
      conv.push_back(v.conv[i]);
      auto& d = by_domain[std::uint32_t{v.type[i]} * train.schema().n_scenarios + v.scenario[i]];
      d.first.push_back(v.p_cvr[i]);
      d.second.push_back(v.conv[i]);
    }
  }
  const double ctr_auc = rank_auc(p_ctr, click), cvr_auc = rank_auc(p_cvr, conv);
  EXPECT_NEAR(report.oracle.ctr_auc, ctr_auc, 1e-9);
  EXPECT_NEAR(report.oracle.cvr_auc, cvr_auc, 1e-9);
  EXPECT_GT(ctr_auc, 0.65);  // the labels follow the true probabilities
  EXPECT_GT(cvr_auc, 0.7);
  double sum = 0;
  int scored = 0;
  for (const auto& [domain, d] : by_domain) {
    const auto positives = std::count(d.second.begin(), d.second.end(), std::uint8_t{1});
    const auto negatives = static_cast<std::ptrdiff_t>(d.second.size()) - positives;
    if (positives < 10 || negatives < 10) continue;
    sum += rank_auc(d.first, d.second);
    scored += 1;
  }
  ASSERT_GT(scored, 3);
  EXPECT_EQ(report.oracle.domain_cvr.scored, static_cast<std::uint32_t>(scored));
  EXPECT_NEAR(report.oracle.domain_cvr.mean, sum / scored, 1e-9);
  EXPECT_EQ(report.summary.total().rows, r.split_rows[kTrain]);
  const std::string text = format_synth_report(test_config(), options_for(tmp / "out", 120000, 21, 1), r, report);
  EXPECT_NE(text.find("oracle"), std::string::npos);
  EXPECT_NE(text.find("held out"), std::string::npos);
}

TEST(Synthesize, BadOptionsFailBeforeWritingAnything) {
  TempDir tmp;
  ThreadPool pool(2);
  EXPECT_NE(error_of([&] { synthesize(tiny_preset(), options_for(tmp / "out", 0, 1), pool); }).find("--rows"),
            std::string::npos);
  const std::string holdout = error_of([&] { synthesize(tiny_preset(), options_for(tmp / "out", 1000, 1, 50), pool); });
  EXPECT_NE(holdout.find("--holdout 50"), std::string::npos) << holdout;
  EXPECT_TRUE(fs::is_empty(tmp.str())) << "a failed synth left files behind";
}

TEST(Synthesize, ExistingOutputNeedsOverwriteAndOnlyASynthOutputIsReplaced) {
  TempDir tmp;
  ThreadPool pool(2);
  synthesize(tiny_preset(), options_for(tmp / "out", 2000, 1), pool);
  const std::string exists = error_of([&] { synthesize(tiny_preset(), options_for(tmp / "out", 2000, 2), pool); });
  EXPECT_NE(exists.find("already exists"), std::string::npos) << exists;
  SynthOptions o = options_for(tmp / "out", 3000, 2);
  o.overwrite = true;
  synthesize(tiny_preset(), o, pool);
  EXPECT_EQ(Dataset::open(tmp / "out/train").provenance().at("seed"), 2u);
  // A directory that is not a synth output is never replaced.
  fs::create_directories(tmp / "precious");
  std::ofstream(tmp / "precious/notes.txt") << "keep me";
  o.out_dir = tmp / "precious";
  EXPECT_NE(error_of([&] { synthesize(tiny_preset(), o, pool); }).find("not an mmn synth output"), std::string::npos);
  EXPECT_TRUE(fs::exists(tmp / "precious/notes.txt"));
}

TEST(Synthesize, AFailedWriteLeavesNoOutputAndNoStagingDirectory) {
  TempDir tmp;
  ThreadPool pool(2);
  set_write_failure_after_bytes(200000);  // the disk "fills up" mid-way
  const std::string e = error_of([&] { synthesize(test_config(), options_for(tmp / "out", 50000, 1), pool); });
  set_write_failure_after_bytes(-1);
  EXPECT_FALSE(e.empty());
  EXPECT_TRUE(fs::is_empty(tmp.str())) << "left behind: " << fs::directory_iterator(tmp.str())->path();
}

}  // namespace
}  // namespace mmn::synth
