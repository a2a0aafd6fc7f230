# CPACK_PRE_BUILD_SCRIPTS: strips debug info from the static libraries in
# CPack's staging directory. CPACK_STRIP_FILES strips executables and shared
# libraries only, and a debug tree's libjina.a is hundreds of MB of it.
file(GLOB_RECURSE archives "${CPACK_TEMPORARY_DIRECTORY}/*.a")
foreach(archive IN LISTS archives)
  execute_process(COMMAND strip --strip-debug "${archive}" RESULT_VARIABLE result)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "strip --strip-debug ${archive} failed")
  endif()
endforeach()
