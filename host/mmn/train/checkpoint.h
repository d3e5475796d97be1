#pragma once
// Checkpoints: the model's parameters, the optimizer's state, the data position
// and the step, in one file written atomically (temporary file, fsync, rename).
//
// Format (little-endian): "MMNCKPT1" magic, u32 version (2), u32 section count, then
// sections, each: u32 name length, name, u64 bytes, u64 XXH3-64 of the bytes, bytes;
// then u64 XXH3-64 of all the bytes outside the sections' data (magic to last header).
// The first section, "meta", is JSON (step, data position, model label, schema, and
// the layout of every later section); the reader checks every checksum and every size
// against the model it loads into, and names the file and the problem otherwise.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "mmn/train/batch_loader.h"
#include "mmn/util/error.h"

namespace mmn {

class MmnModel;
class Optimizer;

// A readable checkpoint that does not fit the model it is loaded into (another model
// kind, schema or optimizer): unlike a corrupt file, no older checkpoint will do better.
class CheckpointMismatch : public Error {
 public:
  using Error::Error;
};

struct CheckpointState {
  std::uint64_t step = 0;
  LoaderPosition position;
  nlohmann::json extra = nlohmann::json::object();  // e.g. the resolved config
};

void write_checkpoint(const std::string& path, const MmnModel& model, const Optimizer& optimizer,
                      const CheckpointState& state);

// Loads into `model` and `optimizer` (built with the same configuration and schema).
CheckpointState read_checkpoint(const std::string& path, MmnModel& model, Optimizer& optimizer);

// The run directory's checkpoints/ subdirectory that holds the best checkpoint by the validation
// metric, when training has a validation split.
inline constexpr const char* kBestCheckpointDir = "best";

// N of a finished checkpoint's file name "step-<N>.mmnc"; nothing for any other name (a
// temporary file of a write under way included).
std::optional<std::uint64_t> checkpoint_step(const std::string& file_name);

// A directory of checkpoints "step-<N>.mmnc"; keeps the newest `keep`. Opening it removes
// the temporary files of writes that never finished (a killed process).
class CheckpointDirectory {
 public:
  CheckpointDirectory(std::string dir, std::uint32_t keep);
  std::string save(const MmnModel& model, const Optimizer& optimizer, const CheckpointState& state);
  // Paths of the checkpoints present, newest first.
  std::vector<std::string> list() const;

 private:
  std::string dir_;
  std::uint32_t keep_;
};

}  // namespace mmn
