#pragma once
// Rare categorical values (model.min_id_count): values seen fewer than that many times in the
// training data share their table's last row. The map is part of the model (checkpoints carry
// it); every batch is mapped before it reaches a backend, so the backends see rows, not values.
#include <vector>

#include "mmn/data/column_block.h"
#include "mmn/data/column_view.h"
#include "mmn/data/dataset.h"

namespace mmn {

class MmnModel;
class ThreadPool;

// Whether the model maps any field (model.min_id_count > 1).
bool maps_rare_ids(const MmnModel& model);

// Counts every categorical value over `data` and fills the model's id maps; nothing to do when
// the model maps no field. Returns the values per field that went to the shared row.
std::vector<std::uint64_t> fit_rare_id_maps(MmnModel& model, const Dataset& data, ThreadPool& pool);

// Rewrites the categorical ids of `block` as table rows.
void map_rare_ids(const MmnModel& model, ColumnBlock& block);
// `rows` with its categorical ids as table rows: a view whose categorical columns live in
// `scratch` (the other columns still point into `rows`), or `rows` itself without maps.
ColumnView map_rare_ids(const MmnModel& model, const ColumnView& rows, std::vector<std::vector<std::uint32_t>>& scratch);

}  // namespace mmn
