# cmake -DBUILD_DIR=... -DTARGET=... -DSOURCE=... -DMESSAGE=... -P run.cmake
# Builds TARGET (one source, SOURCE) in BUILD_DIR and passes when the compile
# fails with only the static_assert MESSAGE, once per line of SOURCE marked
# "// BAD". Each run compiles again: a failed compile leaves no object.
file(STRINGS "${SOURCE}" bad_lines REGEX "// BAD$")
list(LENGTH bad_lines expected)
execute_process(COMMAND "${CMAKE_COMMAND}" --build "${BUILD_DIR}" --target "${TARGET}"
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(result EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled; expected ${expected} errors \"${MESSAGE}\"")
endif()
string(REGEX MATCHALL "error:[^\n]*" errors "${output}")
set(matching 0)
foreach(error IN LISTS errors)
  string(FIND "${error}" "${MESSAGE}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "an error other than \"${MESSAGE}\":\n${output}")
  endif()
  math(EXPR matching "${matching} + 1")
endforeach()
if(NOT matching EQUAL expected)
  message(FATAL_ERROR "${matching} errors \"${MESSAGE}\", expected ${expected}:\n${output}")
endif()
message(STATUS "${expected} errors \"${MESSAGE}\", as expected")
