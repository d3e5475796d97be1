#pragma once
// mmn's pseudo-random numbers (the synthetic data generator's, reproducible on every compiler).
#include "mmn/synth/random.h"

namespace mmn {
using synth::Rng;
}  // namespace mmn
