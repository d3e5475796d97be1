#include "mmn/train/run_predictions.h"

#include "mmn/backend/training_backend.h"
#include "mmn/comm/communicator.h"

namespace mmn {

Predictions predict_run(LoadedRun& run, const Dataset& data, const std::string& device, ThreadPool& pool,
                        Communicator* comm) {
  const std::uint32_t batch = run.config.train.eval_batch_size;
  if (resolve_device(device) == "cpu") return predict(*run.model, data, batch, pool, comm);
  const std::unique_ptr<TrainingBackend> backend =
      make_backend(device, {*run.model, nullptr, pool, batch, local_rank(), comm});
  return predict(with_rare_ids_mapped(
                     *run.model, [&](const ColumnView& rows, float* ctr, float* cvr) { backend->forward(rows, ctr, cvr); }),
                 data, batch, comm);
}

}  // namespace mmn
