// CSV/TSV ingest: any bytes as an input file for one of the test schemas (chosen by the
// first byte), parsed in small chunks with bad rows skipped. Anything but an mmn::Error
// (a crash, a sanitizer report, another exception) is a finding.
#include <cstdint>
#include <string>

#include "fuzz_input_file.h"
#include "mmn/ingest/ingest_schema.h"
#include "mmn/ingest/ingester.h"
#include "mmn/util/error.h"
#include "mmn/util/thread_pool.h"

namespace {

const mmn::ingest::IngestSchema& schema(std::uint8_t selector) {
  static const mmn::ingest::IngestSchema schemas[] = {
      mmn::ingest::parse_ingest_schema_file(MMN_SOURCE_DIR "/tests/fixtures/ingest/aliccp_schema.toml"),
      mmn::ingest::parse_ingest_schema_file(MMN_SOURCE_DIR "/tests/fixtures/ingest/criteo_schema.toml"),
      mmn::ingest::parse_ingest_schema_file(MMN_SOURCE_DIR "/tests/fixtures/ingest/slots_schema.toml"),
  };
  return schemas[selector % 3];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  static mmn::ThreadPool pool(1);
  const mmn::ingest::IngestSchema& chosen = schema(data[0]);
  const std::string& path = mmn::fuzz::write_input_file("input.csv", data + 1, size - 1);
  mmn::ingest::IngestConfig config;
  config.dry_run = true;
  config.on_bad_row = (data[0] & 0x80) != 0 ? mmn::ingest::BadRowPolicy::fail : mmn::ingest::BadRowPolicy::skip;
  config.chunk_bytes = 64;
  config.pool = &pool;
  try {
    mmn::ingest::ingest(chosen, {path}, config);
  } catch (const mmn::Error&) {
  }
  return 0;
}
