# The dev preset (and so CI) turns it on: a new warning fails the build. Off
# by default, so that a newer compiler's new warnings do not stop a user
# building a release.
option(JINA_WERROR "Treat warnings in the project's own code as errors" OFF)

# jina_warnings(<target>): the warning set for the project's own code.
function(jina_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter
                         $<$<BOOL:${JINA_WERROR}>:-Werror>)
endfunction()
