#pragma once
// The best validation score of a run, its checkpoint, and early stopping.
#include <cstdint>
#include <string>

#include "mmn/train/train_config.h"

namespace mmn {

class Communicator;

struct BestSoFar {
  std::uint64_t step = 0;  // 0: none yet
  double value = 0.0;
  std::string checkpoint;      // rank 0's path
  std::uint32_t since_best = 0;  // validations after it without a better score
};

// Scores come in one validation at a time; higher is better (validation_score's sign).
class BestModelTracker {
 public:
  // patience 0: never stop early.
  // `best`: what a resumed run had found, its count of validations since included.
  explicit BestModelTracker(std::uint32_t patience, BestSoFar best = {}) : patience_(patience), best_(best) {}

  // Whether `score` (at `step`) is the best so far; a non-finite score never is.
  bool observe(std::uint64_t step, double score);
  // No better score in the last `patience` validations.
  bool out_of_patience() const { return patience_ > 0 && best_.since_best >= patience_; }
  std::uint32_t since_best() const { return best_.since_best; }

  const BestSoFar& best() const { return best_; }
  void set_checkpoint(std::string path) { best_.checkpoint = std::move(path); }

 private:
  std::uint32_t patience_;
  BestSoFar best_;
};

// checkpoints/best/best.json of the run directory, written atomically after every validation.
void write_best(const std::string& run_dir, ValidationMetric metric, const BestSoFar& best);
// What a resumed run had found: rank 0 reads best.json, the others get it. None: {}.
BestSoFar read_best(const std::string& run_dir, Communicator& comm);

}  // namespace mmn
