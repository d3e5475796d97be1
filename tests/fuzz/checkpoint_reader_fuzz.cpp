// The checkpoint reader: any file loads into the small model of checkpoint_model.h or is
// an mmn::Error (CheckpointMismatch included) naming the problem. Each input is read
// twice: as it is, and with its section checksums and header trailer made right, so that
// mutations get past the checksums to the meta JSON and the layout checks.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "checkpoint_model.h"
#include "fuzz_input_file.h"
#include "mmn/model/mmn_model.h"
#include "mmn/train/checkpoint.h"
#include "mmn/util/checksum.h"
#include "mmn/util/error.h"

namespace {

template <typename T>
T load(const std::vector<std::uint8_t>& b, std::size_t at) {
  T v;
  std::memcpy(&v, b.data() + at, sizeof v);
  return v;
}

// Walks the format of checkpoint.h (version 2) as far as it holds together, rewriting
// each section's checksum and then the trailer.
std::vector<std::uint8_t> with_checksums_fixed(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> b(data, data + size);
  constexpr std::size_t kHead = 16;  // magic, version, section count
  if (size < kHead) return b;
  const auto count = load<std::uint32_t>(b, 12);
  std::string headers(b.begin(), b.begin() + kHead);
  std::size_t pos = kHead;
  for (std::uint32_t i = 0; i < count && i < 1000; ++i) {
    const std::size_t header_at = pos;
    if (size - pos < 4) return b;
    const auto name_bytes = load<std::uint32_t>(b, pos);
    pos += 4;
    if (name_bytes > size - pos || size - pos - name_bytes < 16) return b;
    pos += name_bytes;
    const auto bytes = load<std::uint64_t>(b, pos);
    if (bytes > size - pos - 16) return b;
    const std::uint64_t sum = mmn::checksum64(b.data() + pos + 16, bytes);
    std::memcpy(b.data() + pos + 8, &sum, sizeof sum);
    pos += 16;
    headers.append(b.begin() + static_cast<std::ptrdiff_t>(header_at), b.begin() + static_cast<std::ptrdiff_t>(pos));
    pos += bytes;
  }
  if (size - pos >= 8) {
    const std::uint64_t trailer = mmn::checksum64(headers.data(), headers.size());
    std::memcpy(b.data() + pos, &trailer, sizeof trailer);
  }
  return b;
}

void read(const std::uint8_t* data, std::size_t size) {
  static mmn::MmnModel model(mmn::fuzz::checkpoint_model_config(), mmn::fuzz::checkpoint_schema(), 1);
  static mmn::Optimizer optimizer(mmn::OptimizerConfig{}, model);
  try {
    mmn::read_checkpoint(mmn::fuzz::write_input_file("step-1.mmnc", data, size), model, optimizer);
  } catch (const mmn::Error&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  read(data, size);
  const std::vector<std::uint8_t> fixed = with_checksums_fixed(data, size);
  read(fixed.data(), fixed.size());
  return 0;
}
