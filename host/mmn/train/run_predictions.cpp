#include "mmn/train/run_predictions.h"

#include "mmn/backend/training_backend.h"
#include "mmn/comm/communicator.h"
#include "mmn/model/optimizer.h"

namespace mmn {

Predictions predict_run(LoadedRun& run, const Dataset& data, const std::string& device, ThreadPool& pool,
                        Communicator* comm) {
  const std::uint32_t batch = run.config.train.eval_batch_size;
  if (resolve_device(device) == "cpu") return predict(*run.model, data, batch, pool, comm);
  Optimizer unused(run.config.optimizer, *run.model);  // the interface takes one; nothing is trained
  BackendContext context{*run.model, unused, pool, batch, local_rank(), comm};
  context.inference_only = true;
  const std::unique_ptr<TrainingBackend> backend = make_backend(device, context);
  return predict(with_rare_ids_mapped(
                     *run.model, [&](const ColumnView& rows, float* ctr, float* cvr) { backend->forward(rows, ctr, cvr); }),
                 data, batch, comm);
}

}  // namespace mmn
