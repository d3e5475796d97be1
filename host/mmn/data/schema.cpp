#include "mmn/data/schema.h"

#include <set>

#include "mmn/util/error.h"

namespace mmn {

void Schema::validate(const std::string& where) const {
  if (n_types == 0 || n_types > 65535) fail("{}: number of types must be in [1, 65535], got {}", where, n_types);
  if (n_scenarios == 0 || n_scenarios > 65535)
    fail("{}: number of scenarios must be in [1, 65535], got {}", where, n_scenarios);
  std::set<std::string> names;
  for (const auto& f : categorical) {
    if (f.name.empty()) fail("{}: a categorical field has an empty name", where);
    if (f.vocab_size == 0 || f.vocab_size > (1ull << 32))
      fail("{}: categorical field '{}' has vocabulary size {}, must be in [1, 2^32]", where, f.name, f.vocab_size);
    if (!names.insert(f.name).second) fail("{}: field name '{}' appears twice", where, f.name);
  }
  for (const auto& d : dense) {
    if (d.empty()) fail("{}: a dense field has an empty name", where);
    if (!names.insert(d).second) fail("{}: field name '{}' appears twice", where, d);
  }
}

}  // namespace mmn
