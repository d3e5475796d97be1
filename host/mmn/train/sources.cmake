# Training: batches, evaluation, checkpoints, the training loop, loading a run.
target_sources(mmn_host PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/batch_loader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/best_model.cpp
  ${CMAKE_CURRENT_LIST_DIR}/checkpoint.cpp
  ${CMAKE_CURRENT_LIST_DIR}/evaluator.cpp
  ${CMAKE_CURRENT_LIST_DIR}/read_ahead.cpp
  ${CMAKE_CURRENT_LIST_DIR}/resume.cpp
  ${CMAKE_CURRENT_LIST_DIR}/run_checks.cpp
  ${CMAKE_CURRENT_LIST_DIR}/run_loader.cpp
  ${CMAKE_CURRENT_LIST_DIR}/run_predictions.cpp
  ${CMAKE_CURRENT_LIST_DIR}/run_summary.cpp
  ${CMAKE_CURRENT_LIST_DIR}/step_loss.cpp
  ${CMAKE_CURRENT_LIST_DIR}/trainer.cpp
  ${CMAKE_CURRENT_LIST_DIR}/training_run_steps.cpp
  ${CMAKE_CURRENT_LIST_DIR}/validation.cpp
)
include(${CMAKE_CURRENT_LIST_DIR}/sources_reporting.cmake)
