# `cmake --install` produces a package usable with find_package(jina CONFIG)
# (targets jina::jina, shared, and jina::jina_static) and with pkg-config
# (jina.pc, and jina-static.pc for the static library).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS jina jina_static EXPORT jinaTargets
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

file(RELATIVE_PATH JINA_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
configure_file(cmake/jina.pc.in ${CMAKE_CURRENT_BINARY_DIR}/jina.pc @ONLY)
configure_file(cmake/jina-static.pc.in ${CMAKE_CURRENT_BINARY_DIR}/jina-static.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/jina.pc ${CMAKE_CURRENT_BINARY_DIR}/jina-static.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
