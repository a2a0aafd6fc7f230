# Every dependency comes from Debian's packages (scripts/bootstrap installs them).
find_package(Threads REQUIRED)
# Debian ships no Protobuf CMake config: module mode.
find_package(Protobuf 3.21 REQUIRED MODULE)
find_package(gRPC 1.51 CONFIG REQUIRED)
find_package(absl CONFIG REQUIRED)
find_package(nlohmann_json 3.10 CONFIG REQUIRED)
# HTTP and WebSocket: Boost.Beast/Asio (header-only) and OpenSSL for https/wss.
find_package(Boost 1.74 REQUIRED)
find_package(OpenSSL REQUIRED)
