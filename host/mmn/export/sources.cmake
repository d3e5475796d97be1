# Export of a trained model for serving (ONNX), built with Debian's libonnx and protobuf.
target_sources(mmn_host PRIVATE ${CMAKE_CURRENT_LIST_DIR}/onnx_export.cpp)
target_link_libraries(mmn_host PRIVATE onnx onnx_proto protobuf::libprotobuf)
