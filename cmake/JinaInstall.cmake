# `cmake --install` produces a package usable with find_package(jina CONFIG)
# and the target jina::jina.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS jina EXPORT jinaTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/jina DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT jinaTargets NAMESPACE jina:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/jina)

configure_package_config_file(cmake/jinaConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/jinaConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/jina)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/jinaConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/jinaConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/jinaConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/jina)
