#pragma once
// The tiny synthetic preset written for a test: `rows` over all splits, its seed and holdout
// combinations, into tmp/data (train/, test/ and, with a holdout, heldout/).
#include <cstdint>
#include <string>

#include "mmn/synth/synthesize.h"
#include "mmn/util/thread_pool.h"
#include "testing/temp_dir.h"

namespace mmn::testing {

inline std::string make_tiny_data(const TempDir& tmp, std::uint64_t rows, std::uint64_t seed,
                                  std::uint32_t holdout = 0) {
  ThreadPool pool(2);
  synth::SynthOptions o;
  o.out_dir = tmp / "data";
  o.rows = rows;
  o.seed = seed;
  o.holdout = holdout;
  synth::synthesize(synth::tiny_preset(), o, pool);
  return o.out_dir;
}

}  // namespace mmn::testing
