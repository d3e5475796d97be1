# Training backends: the interface, the registry, the CPU backend, the divergence guard.
target_sources(mmn_host PRIVATE
  ${CMAKE_CURRENT_LIST_DIR}/backend_registry.cpp
  ${CMAKE_CURRENT_LIST_DIR}/cpu_backend.cpp
  ${CMAKE_CURRENT_LIST_DIR}/divergence.cpp
  ${CMAKE_CURRENT_LIST_DIR}/training_backend.cpp
)
