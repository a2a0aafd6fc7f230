// Certificates made with openssl by the TLS tests, in a temporary directory
// removed with the object.
#ifndef JINA_TESTS_INTEGRATION_TLS_TESTING_H_
#define JINA_TESTS_INTEGRATION_TLS_TESTING_H_

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>

namespace jina::testing {

inline std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A directory named after `name` and the process, where run() executes
// openssl commands; path() names the files they made.
class CertificateDir {
 public:
  explicit CertificateDir(const std::string& name)
      : dir_(std::filesystem::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
    std::filesystem::create_directories(dir_);
  }
  ~CertificateDir() {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
  CertificateDir(const CertificateDir&) = delete;
  CertificateDir& operator=(const CertificateDir&) = delete;

  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  void run(const std::string& command) const {
    std::string full = "cd '" + dir_.string() + "' && " + command + " >/dev/null 2>&1";
    if (std::system(full.c_str()) != 0) throw std::runtime_error("failed: " + command);
  }

 private:
  std::filesystem::path dir_;
};

}  // namespace jina::testing

#endif  // JINA_TESTS_INTEGRATION_TLS_TESTING_H_
