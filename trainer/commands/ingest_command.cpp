// mmn ingest --schema S.toml --out DIR [options] INPUT...: CSV/TSV files into a data set.
#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <memory>
#include <string>
#include <vector>

#include "commands/commands.h"
#include "mmn/ingest/ingest_schema.h"
#include "mmn/ingest/ingester.h"
#include "mmn/util/error.h"

namespace mmn::cli {
namespace {

std::atomic<bool> g_interrupted{false};

extern "C" void on_interrupt(int) { g_interrupted.store(true); }

// SIGINT and SIGTERM ask the ingest to stop, so the partial output is removed; a
// second signal ends the process at once (SA_RESETHAND).
class InterruptGuard {
 public:
  InterruptGuard() {
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
  }
  ~InterruptGuard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
  }
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

 private:
  struct sigaction old_int_ {};
  struct sigaction old_term_ {};
};

struct Options {
  std::string schema;
  std::string out;
  bool overwrite = false;
  std::string on_bad_row = "fail";
  std::uint64_t max_bad_rows = 1000;
  std::string dictionaries_from;
  std::uint64_t rows_per_shard = 1u << 20;
  std::size_t threads = 0;
  std::vector<std::string> inputs;
};

void run(const Options& o, bool max_bad_rows_given) {
  if (max_bad_rows_given && o.on_bad_row != "skip")
    fail("--max-bad-rows applies only with --on-bad-row=skip (by default the first bad row fails the ingest)");
  const ingest::IngestSchema schema = ingest::parse_ingest_schema_file(o.schema);
  ingest::IngestConfig config;
  config.out_dir = o.out;
  config.overwrite = o.overwrite;
  config.on_bad_row = o.on_bad_row == "skip" ? ingest::BadRowPolicy::skip : ingest::BadRowPolicy::fail;
  config.max_bad_rows = o.max_bad_rows;
  config.dictionaries_from = o.dictionaries_from;
  config.rows_per_shard = o.rows_per_shard;
  config.threads = o.threads;
  config.cancel = &g_interrupted;
  g_interrupted.store(false);
  InterruptGuard guard;
  const ingest::IngestReport r = ingest::ingest(schema, o.inputs, config);

  if (r.rows_skipped > 0) {
    for (const auto& b : r.first_bad_rows) fmt::print(stderr, "mmn: skipped bad row: {}\n", b.message());
    if (r.rows_skipped > r.first_bad_rows.size())
      fmt::print(stderr, "mmn: ... and {} more bad rows skipped\n", r.rows_skipped - r.first_bad_rows.size());
  }
  const double mb = static_cast<double>(r.text_bytes) / 1e6;
  fmt::print("ingested {} input file{} ({:.1f} MB{}) with schema {} into {}\n", r.inputs.size(),
             r.inputs.size() == 1 ? "" : "s", mb,
             r.bytes != r.text_bytes ? fmt::format(" of text, {:.1f} MB compressed", static_cast<double>(r.bytes) / 1e6)
                                     : "",
             o.schema, o.out);
  fmt::print("rows read {}, rows written {}, rows skipped {} (blank lines {})\n", r.rows_read, r.rows_written,
             r.rows_skipped, r.blank_lines);
  fmt::print("{} types x {} scenarios; {:.2f} s on {} threads: {:.0f} rows/s, {:.1f} MB/s of text\n", r.n_types, r.n_scenarios,
             r.seconds, r.threads, static_cast<double>(r.rows_read) / r.seconds, mb / r.seconds);
}

}  // namespace

void add_ingest_command(CLI::App& app) {
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("ingest", "Read CSV/TSV files into an mmn data set, as a TOML schema file says");
  cmd->add_option("--schema", o->schema, "Ingest schema file (TOML): input format and each column's role")->required();
  cmd->add_option("--out", o->out, "Output data set directory")->required();
  cmd->add_flag("--overwrite", o->overwrite, "Replace an existing data set at --out");
  cmd->add_option("--on-bad-row", o->on_bad_row,
                  "fail: stop at the first bad row (default); skip: skip bad rows, count and report them")
      ->check(CLI::IsMember({"fail", "skip"}));
  auto* max_bad = cmd->add_option("--max-bad-rows", o->max_bad_rows,
                                  "With --on-bad-row=skip: fail when more rows than this are bad (default 1000)");
  cmd->add_option("--dictionaries-from", o->dictionaries_from,
                  "Data set whose type, scenario and categorical dictionaries are used, fixed (unseen types and "
                  "scenarios are bad rows)");
  cmd->add_option("--rows-per-shard", o->rows_per_shard, "Rows per shard file (default 1048576)")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  cmd->add_option("--threads", o->threads, "Parsing threads (default: MMN_THREADS or all cores)")
      ->check(CLI::Range(std::size_t{0}, std::size_t{1024}));
  cmd->add_option("inputs", o->inputs, "Input CSV/TSV files, appended in order")->required();
  cmd->footer(R"(Schema file (TOML):
  [input]     delimiter = "," | "\t" | "tab";  header = true | false;  quoting = true | false
  [[column]]  one per input column, in file order: name = "...", role = "...", where role is
    click | conversion | type | scenario | ignore | p_ctr | p_cvr  (labels are 0 or 1)
    categorical: encoding = "hash", vocab_size = N [, seed = S]
                 encoding = "dictionary", max_size = N [, values = [...] fixed]
    numeric:     transform = "none" | "log1p" | "signed_log1p", default = X (for empty fields)
    type, scenario: values = [...] makes the dictionary fixed (unseen values are bad rows)
Categorical ids: 0 = empty field; hashed values 1 + floor(xxh3(text, seed) * (N - 1) / 2^64);
dictionary values 2, 3, ... in order of first appearance, 1 = out of vocabulary.
No conversion column: conv = 0. No type or scenario column: one, named "all".
Blank lines are skipped; quoted fields ("" for a quote) may not hold line breaks.)");
  cmd->callback([o, max_bad] { run(*o, max_bad->count() > 0); });
}

}  // namespace mmn::cli
