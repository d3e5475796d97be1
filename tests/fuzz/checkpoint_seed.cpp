// checkpoint_seed OUT: writes a checkpoint of the fuzz model (checkpoint_model.h), the
// seed of fuzz_checkpoint_reader's corpus.
#include <cstdio>

#include "checkpoint_model.h"
#include "mmn/model/mmn_model.h"
#include "mmn/train/checkpoint.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUT.mmnc\n", argv[0]);
    return 2;
  }
  const mmn::MmnModel model(mmn::fuzz::checkpoint_model_config(), mmn::fuzz::checkpoint_schema(), 1);
  const mmn::Optimizer optimizer(mmn::OptimizerConfig{}, model);
  mmn::write_checkpoint(argv[1], model, optimizer, {3, {1, 2}, {}});
  return 0;
}
