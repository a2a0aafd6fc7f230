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

# `cpack -G DEB` in a build tree: a Debian package of the same install
# (library, headers, CMake and pkg-config files, the tools) under /usr.
# Depends: the shared libraries the ELF files need (dpkg-shlibdeps), and the
# -dev packages whose headers and CMake configs the public headers and
# jinaConfig.cmake use. tests/install/run_deb.sh builds one and uses it.
if(PROJECT_IS_TOP_LEVEL)
  set(CPACK_GENERATOR DEB)
  set(CPACK_PACKAGE_NAME jina-cpp)
  set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
  set(CPACK_PACKAGE_CONTACT "jina-cpp maintainers <jina-cpp@localhost>")
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "C++ client library for Jina Flow gateways, and a local Flow")
  set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
  set(CPACK_STRIP_FILES ON)
  set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_LIST_DIR}/JinaStripArchives.cmake)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libgrpc++-dev, libprotobuf-dev, libabsl-dev, nlohmann-json3-dev, libboost-dev, libssl-dev")
  include(CPack)
endif()
