#pragma once
// The small model whose checkpoints fuzz_checkpoint_reader reads (and checkpoint_seed writes).
#include "mmn/data/schema.h"
#include "mmn/model/model_config.h"
#include "mmn/model/optimizer.h"

namespace mmn::fuzz {

inline Schema checkpoint_schema() {
  Schema s;
  s.n_types = 2;
  s.n_scenarios = 2;
  s.categorical = {{"user", 5}, {"item", 3}};
  s.dense = {"price"};
  return s;
}

inline ModelConfig checkpoint_model_config() {
  ModelConfig c;
  c.embedding_dim = 2;
  c.ctr_hidden = {2};
  c.cvr_hidden = {2};
  return c;
}

}  // namespace mmn::fuzz
