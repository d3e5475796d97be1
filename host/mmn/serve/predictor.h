#pragma once
// mmn::Predictor: a trained run's model in a C++ server. Loads the run's best
// checkpoint (else its newest, or the one named) once, keeps the parameters and no
// optimizer state, and scores batches of rows.
//
//   mmn::Predictor predictor("runs/criteo-like/mmn");
//   predictor.predict(rows, p_ctr, p_cvr);  // rows: a ColumnView of the run's schema
//
// Thread-safe: concurrent calls take turns; each runs on the predictor's own threads.
#include <cstdint>
#include <memory>
#include <string>

#include "mmn/data/column_view.h"
#include "mmn/data/schema.h"

namespace mmn {

class Predictor {
 public:
  // threads 0: MMN_THREADS or every core. Throws mmn::Error naming the run or checkpoint.
  explicit Predictor(const std::string& run_dir, const std::string& checkpoint = "", std::size_t threads = 0);
  ~Predictor();
  Predictor(Predictor&&) noexcept;
  Predictor& operator=(Predictor&&) noexcept;

  // The columns a batch must have: categorical ids below each field's vocabulary size,
  // type and scenario ids within the grid, the dense features (labels are not read).
  const Schema& schema() const;
  std::uint64_t step() const;  // the training step of the loaded checkpoint

  // p_ctr[i] and p_cvr[i] for every row of `rows`. Throws mmn::Error naming the first
  // row and column out of range, before any output is written.
  void predict(const ColumnView& rows, float* p_ctr, float* p_cvr) const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace mmn
