# mmn::Predictor: a trained run's model for a C++ server.
target_sources(mmn_host PRIVATE ${CMAKE_CURRENT_LIST_DIR}/predictor.cpp)
