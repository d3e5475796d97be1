// The shard reader: any file is a shard whose every row group verifies and validates, or
// an mmn::Error naming the problem. Each input is read twice: as it is, and with its
// file size and header and metadata checksums made right, so that mutations get past
// the checksums to the metadata decoder, the column table and the value checks.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "fuzz_input_file.h"
#include "mmn/data/shard_format.h"
#include "mmn/data/shard_reader.h"
#include "mmn/util/checksum.h"
#include "mmn/util/error.h"

namespace {

void read_shard(const std::uint8_t* data, std::size_t size) {
  try {
    const mmn::ShardReader reader(mmn::fuzz::write_input_file("part-00000.mmns", data, size));
    for (std::uint32_t g = 0; g < reader.row_groups(); ++g) {
      try {
        reader.verify_checksums(g);
      } catch (const mmn::Error&) {
      }
      reader.validate_values(g);
    }
  } catch (const mmn::Error&) {
  }
}

std::vector<std::uint8_t> with_checksums_fixed(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> b(data, data + size);
  mmn::shard::FileHeader h;
  std::memcpy(&h, b.data(), sizeof h);
  h.file_bytes = size;
  if (h.metadata_bytes <= size - sizeof h) h.metadata_checksum = mmn::checksum64(b.data() + sizeof h, h.metadata_bytes);
  h.header_checksum = mmn::checksum64(&h, mmn::shard::kHeaderChecksummedBytes);
  std::memcpy(b.data(), &h, sizeof h);
  return b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  read_shard(data, size);
  if (size >= sizeof(mmn::shard::FileHeader)) {
    const std::vector<std::uint8_t> fixed = with_checksums_fixed(data, size);
    read_shard(fixed.data(), fixed.size());
  }
  return 0;
}
