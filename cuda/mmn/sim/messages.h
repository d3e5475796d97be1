#pragma once
// Pieces of the emulator's error messages.
#include <string>
#include <vector>

#include "mmn/sim/runtime.h"

namespace mmn::sim::detail {

std::string where(Site site);  // "file.h:12"
std::string hex(unsigned mask);  // "0x0000ffff"
std::string triple(unsigned x, unsigned y, unsigned z);  // "(1,2,3)"
// "0-31, 40, 48-63": sorted thread or lane numbers.
std::string thread_list(const std::vector<unsigned>& sorted_ids);
std::string lane_list(unsigned mask);

}  // namespace mmn::sim::detail
