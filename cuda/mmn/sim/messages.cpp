#include "mmn/sim/messages.h"

#include <cstdio>
#include <cstring>

namespace mmn::sim::detail {

std::string where(Site site) {
  const char* slash = site.file ? std::strrchr(site.file, '/') : nullptr;
  return std::string(slash ? slash + 1 : site.file ? site.file : "?") + ":" + std::to_string(site.line);
}

std::string hex(unsigned mask) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", mask);
  return text;
}

std::string triple(unsigned x, unsigned y, unsigned z) {
  return "(" + std::to_string(x) + "," + std::to_string(y) + "," + std::to_string(z) + ")";
}

std::string thread_list(const std::vector<unsigned>& sorted_ids) {
  std::string text;
  for (std::size_t i = 0; i < sorted_ids.size();) {
    std::size_t j = i;
    while (j + 1 < sorted_ids.size() && sorted_ids[j + 1] == sorted_ids[j] + 1) ++j;
    if (!text.empty()) text += ", ";
    text += std::to_string(sorted_ids[i]);
    if (j > i) text += "-" + std::to_string(sorted_ids[j]);
    i = j + 1;
  }
  return text;
}

std::string lane_list(unsigned mask) {
  std::vector<unsigned> lanes;
  for (unsigned bits = mask; bits; bits &= bits - 1) lanes.push_back(static_cast<unsigned>(__builtin_ctz(bits)));
  return thread_list(lanes);
}

}  // namespace mmn::sim::detail
