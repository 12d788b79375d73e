# `cmake --install build/<preset> --prefix P` puts the daemon in P/bin, and libtributary
# with its headers and a CMake package in P/lib and P/include, for find_package(Tributary).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS tributary RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS libtributary EXPORT TributaryTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY include/tributary DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT TributaryTargets NAMESPACE Tributary::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Tributary)
configure_package_config_file(cmake/TributaryConfig.cmake.in
  ${CMAKE_BINARY_DIR}/TributaryConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Tributary)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/TributaryConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/TributaryConfig.cmake
        ${CMAKE_BINARY_DIR}/TributaryConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/Tributary)
