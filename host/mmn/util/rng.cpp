#include "mmn/util/rng.h"

#include <cmath>

#include "mmn/util/det_math.h"

namespace mmn {

double Rng::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u, v, r2;
  do {
    u = 2.0 * uniform() - 1.0;
    v = 2.0 * uniform() - 1.0;
    r2 = u * u + v * v;
  } while (r2 >= 1.0 || r2 == 0.0);
  const double scale = std::sqrt(-2.0 * log_det(r2) / r2);  // sqrt is correctly rounded (IEEE)
  spare_ = v * scale;
  has_spare_ = true;
  return u * scale;
}

}  // namespace mmn
