# jina_generate_protos(<srcs-var> <grpc-srcs-var> PROTOS <files...> GRPC <files...>)
#
# Runs protoc (and gRPC's C++ plugin for the files listed under GRPC) into
# ${JINA_PROTO_OUT_DIR}: the messages' sources (protobuf only) in <srcs-var>,
# the services' (gRPC) in <grpc-srcs-var>. /usr/include is an extra proto
# path so that the google/protobuf/*.proto imports resolve against Debian's
# files.
# The project's own binary dir: as a subproject (add_subdirectory,
# FetchContent) the library writes nothing into the consumer's top build dir.
set(JINA_PROTO_OUT_DIR ${PROJECT_BINARY_DIR}/generated)

function(jina_generate_protos srcs_var grpc_srcs_var)
  cmake_parse_arguments(ARG "" "" "PROTOS;GRPC" ${ARGN})
  file(MAKE_DIRECTORY ${JINA_PROTO_OUT_DIR})
  set(proto_dir ${CMAKE_CURRENT_SOURCE_DIR}/proto)
  set(all_protos)
  foreach(p IN LISTS ARG_PROTOS)
    list(APPEND all_protos ${CMAKE_CURRENT_SOURCE_DIR}/${p})
  endforeach()
  set(srcs)
  set(grpc_srcs)
  foreach(p IN LISTS ARG_PROTOS)
    get_filename_component(name ${p} NAME_WE)
    set(abs ${CMAKE_CURRENT_SOURCE_DIR}/${p})
    set(out_src ${JINA_PROTO_OUT_DIR}/${name}.pb.cc)
    set(out_hdr ${JINA_PROTO_OUT_DIR}/${name}.pb.h)
    set(outputs ${out_src} ${out_hdr})
    set(grpc_args)
    list(FIND ARG_GRPC ${p} is_grpc)
    if(NOT is_grpc EQUAL -1)
      list(APPEND outputs ${JINA_PROTO_OUT_DIR}/${name}.grpc.pb.cc ${JINA_PROTO_OUT_DIR}/${name}.grpc.pb.h)
      set(grpc_args --grpc_out=${JINA_PROTO_OUT_DIR}
                    --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>)
      list(APPEND grpc_srcs ${JINA_PROTO_OUT_DIR}/${name}.grpc.pb.cc)
    endif()
    add_custom_command(
      OUTPUT ${outputs}
      COMMAND protobuf::protoc
              -I ${proto_dir} -I /usr/include -I ${Protobuf_INCLUDE_DIRS}
              --cpp_out=${JINA_PROTO_OUT_DIR} ${grpc_args} ${abs}
      DEPENDS ${all_protos} protobuf::protoc gRPC::grpc_cpp_plugin
      COMMENT "protoc ${p}"
      VERBATIM)
    list(APPEND srcs ${out_src})
  endforeach()
  set(${srcs_var} ${srcs} PARENT_SCOPE)
  set(${grpc_srcs_var} ${grpc_srcs} PARENT_SCOPE)
endfunction()
