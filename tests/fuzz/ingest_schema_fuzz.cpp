// The ingest schema parser (TOML): any text is a schema or an mmn::Error.
#include <cstdint>
#include <string_view>

#include "mmn/ingest/ingest_schema.h"
#include "mmn/util/error.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const mmn::ingest::IngestSchema schema =
        mmn::ingest::parse_ingest_schema(std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.toml");
    schema.data_schema().validate("fuzz.toml");
  } catch (const mmn::Error&) {
  }
  return 0;
}
