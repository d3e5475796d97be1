# install() rules and the exported package: find_package(mmn) then link mmn::host.
include(CMakePackageConfigHelpers)

install(TARGETS mmn_host EXPORT mmnTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS mmn RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY host/mmn DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h")
if(MMN_CUDA_ENABLED)
  install(DIRECTORY cuda/mmn DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.h" PATTERN "*.cuh")
endif()

set(_mmn_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/mmn)
install(EXPORT mmnTargets NAMESPACE mmn:: DESTINATION ${_mmn_cmake_dir})
configure_package_config_file(cmake/mmnConfig.cmake.in ${CMAKE_CURRENT_BINARY_DIR}/mmnConfig.cmake
                              INSTALL_DESTINATION ${_mmn_cmake_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/mmnConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/mmnConfig.cmake ${CMAKE_CURRENT_BINARY_DIR}/mmnConfigVersion.cmake
        DESTINATION ${_mmn_cmake_dir})
