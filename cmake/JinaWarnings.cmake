# jina_warnings(<target>): the warning set for the project's own code.
function(jina_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
endfunction()
