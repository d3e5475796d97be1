#include "mmn/model/rare_ids.h"

#include "mmn/model/mmn_model.h"
#include "mmn/util/thread_pool.h"

namespace mmn {

bool maps_rare_ids(const MmnModel& model) {
  const std::vector<EmbeddingTable>& tables = model.embeddings();
  return !tables.empty() && !tables.front().id_map.empty();
}

std::vector<std::uint64_t> fit_rare_id_maps(MmnModel& model, const Dataset& data, ThreadPool& pool) {
  std::vector<EmbeddingTable>& tables = model.embeddings();
  const std::size_t fields = data.schema().categorical.size();
  std::vector<std::uint64_t> rare(fields, 0);
  if (fields == 0 || !maps_rare_ids(model)) return rare;
  pool.run(fields, [&](std::size_t f) {
    EmbeddingTable& t = tables[f];
    std::vector<std::uint64_t> count(t.id_map.size(), 0);
    for (const ShardReader& shard : data.shards()) {
      const ColumnView& v = shard.columns();
      for (std::size_t i = 0; i < v.rows; ++i) ++count[v.categorical[f][i]];
    }
    const auto shared_row = static_cast<std::uint32_t>(t.rows - 1);
    for (std::size_t id = 0; id < count.size(); ++id) {
      const bool is_rare = count[id] < model.config().min_id_count;
      t.id_map[id] = is_rare ? shared_row : static_cast<std::uint32_t>(id);
      rare[f] += is_rare ? 1 : 0;
    }
  });
  return rare;
}

void map_rare_ids(const MmnModel& model, ColumnBlock& block) {
  const std::vector<EmbeddingTable>& tables = model.embeddings();
  for (std::size_t f = 0; f < block.categorical.size(); ++f) {
    const std::vector<std::uint32_t>& map = tables[f].id_map;
    if (map.empty()) continue;
    for (std::uint32_t& id : block.categorical[f]) id = map[id];
  }
}

ColumnView map_rare_ids(const MmnModel& model, const ColumnView& rows,
                        std::vector<std::vector<std::uint32_t>>& scratch) {
  const std::vector<EmbeddingTable>& tables = model.embeddings();
  if (rows.categorical.empty() || !maps_rare_ids(model)) return rows;
  ColumnView out = rows;
  scratch.resize(rows.categorical.size());
  for (std::size_t f = 0; f < rows.categorical.size(); ++f) {
    const std::vector<std::uint32_t>& map = tables[f].id_map;
    scratch[f].resize(rows.rows);
    for (std::size_t i = 0; i < rows.rows; ++i) scratch[f][i] = map[rows.categorical[f][i]];
    out.categorical[f] = scratch[f].data();
  }
  return out;
}

}  // namespace mmn
