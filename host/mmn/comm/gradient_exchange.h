#pragma once
// Data parallelism's exchanges of one training step: every rank trains on its own rows,
// then all ranks hold the gradient of the global batch's loss and step identically.
//   dense gradients: summed (Communicator::sum: the same values on every rank);
//   embedding gradients: sparse, each rank's touched rows merged: the union of ids, ascending,
//     rows of the same id summed in rank order;
//   loss counts: the global batch's N and N^d, for the dynamic weight.
#include <cstdint>
#include <string>
#include <vector>

#include "mmn/comm/communicator.h"
#include "mmn/ops/embedding.h"
#include "mmn/ops/weighted_bce.h"

namespace mmn {

void sum_loss_counts(Communicator& comm, LossCounts& counts);

void sum_dense_gradients(Communicator& comm, std::vector<float>& grads);

// One table's rows from each rank, merged. dim: floats per row.
SparseRows merge_sparse_rows(const std::vector<SparseRows>& per_rank, std::uint32_t dim);

// Every table's sparse gradient replaced by the merge over all ranks.
void merge_sparse_gradients(Communicator& comm, std::vector<SparseRows>& tables, const std::vector<std::uint32_t>& dims);

// The bytes of rows, and back; a malformed message is an error naming `what`.
std::string encode_sparse_rows(const SparseRows& rows);
SparseRows decode_sparse_rows(const std::string& bytes, std::uint32_t dim, const std::string& what);

}  // namespace mmn
