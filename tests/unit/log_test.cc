// jina/log.h: the sink, the level filter and the default stderr sink.
#include "jina/log.h"

#include <gmock/gmock.h>
#include <google/protobuf/stubs/logging.h>
#include <grpc/support/log.h>
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "common/log.h"
#include "wire/library_logs.h"

namespace jina {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct Captured {
  LogLevel level;
  std::string component;
  std::string message;
};

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_log_sink([this](const LogRecord& r) {
      records_.push_back({r.level, std::string(r.component), std::string(r.message)});
    });
  }
  void TearDown() override {
    set_log_sink({});
    set_log_level(LogLevel::kWarning);
  }
  std::vector<Captured> records_;
};

// gRPC's and protobuf's own lines go to the sink, at the library's level,
// not to stderr (issue 18).
TEST_F(LogTest, GrpcAndProtobufLinesGoThroughTheSink) {
  internal::route_library_logs();
  gpr_log(GPR_ERROR, "probe %d", 1);
  GOOGLE_LOG(WARNING) << "probe 2";
  ASSERT_EQ(records_.size(), 2u);
  EXPECT_EQ(records_[0].component, "grpc");
  EXPECT_EQ(records_[0].level, LogLevel::kError);
  EXPECT_THAT(records_[0].message, HasSubstr("probe 1 ("));
  EXPECT_EQ(records_[1].component, "protobuf");
  EXPECT_EQ(records_[1].level, LogLevel::kWarning);
  EXPECT_THAT(records_[1].message, HasSubstr("probe 2"));
  set_log_level(LogLevel::kOff);
  gpr_log(GPR_ERROR, "probe 3");
  GOOGLE_LOG(ERROR) << "probe 4";
  EXPECT_EQ(records_.size(), 2u);
}

TEST_F(LogTest, DefaultLevelPassesWarningsAndErrorsOnly) {
  EXPECT_EQ(log_level(), LogLevel::kWarning);
  internal::log(LogLevel::kDebug, "client", "d");
  internal::log(LogLevel::kInfo, "client", "i");
  internal::log(LogLevel::kWarning, "tls", "w");
  internal::log(LogLevel::kError, "flow", "e");
  ASSERT_EQ(records_.size(), 2u);
  EXPECT_EQ(records_[0].level, LogLevel::kWarning);
  EXPECT_EQ(records_[0].component, "tls");
  EXPECT_EQ(records_[0].message, "w");
  EXPECT_EQ(records_[1].level, LogLevel::kError);
}

TEST_F(LogTest, LevelIsAdjustableAndOffSilencesEverything) {
  set_log_level(LogLevel::kDebug);
  EXPECT_TRUE(internal::log_enabled(LogLevel::kDebug));
  internal::log(LogLevel::kDebug, "client", "d");
  set_log_level(LogLevel::kOff);
  EXPECT_FALSE(internal::log_enabled(LogLevel::kError));
  internal::log(LogLevel::kError, "client", "e");
  ASSERT_EQ(records_.size(), 1u);
  EXPECT_EQ(records_[0].message, "d");
}

TEST_F(LogTest, RecordsAtLevelOffAreNeverDelivered) {
  set_log_level(LogLevel::kDebug);
  internal::log(LogLevel::kOff, "client", "x");
  EXPECT_THAT(records_, IsEmpty());
}

TEST_F(LogTest, ThrowingSinkDoesNotPropagate) {
  set_log_sink([](const LogRecord&) { throw std::runtime_error("sink broke"); });
  EXPECT_NO_THROW(internal::log(LogLevel::kError, "client", "e"));
}

TEST_F(LogTest, SinkCallsAreSerializedAcrossThreads) {
  std::atomic<int> inside{0};
  std::atomic<int> overlaps{0};
  std::atomic<int> calls{0};
  set_log_sink([&](const LogRecord&) {
    if (inside.fetch_add(1) != 0) ++overlaps;
    ++calls;
    inside.fetch_sub(1);
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([] {
      for (int i = 0; i < 1000; ++i) internal::log(LogLevel::kWarning, "client", "m");
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(calls.load(), 4000);
  EXPECT_EQ(overlaps.load(), 0);
}

TEST_F(LogTest, DefaultSinkWritesOneLineToStderr) {
  set_log_sink({});
  ::testing::internal::CaptureStderr();
  internal::log(LogLevel::kWarning, "tls", "certificate checks are off");
  internal::log(LogLevel::kInfo, "client", "not shown");
  std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(err, "jina warning [tls]: certificate checks are off\n");
}

TEST(LogLevelNames, AreLowerCaseWords) {
  EXPECT_EQ(to_string(LogLevel::kDebug), "debug");
  EXPECT_EQ(to_string(LogLevel::kInfo), "info");
  EXPECT_EQ(to_string(LogLevel::kWarning), "warning");
  EXPECT_EQ(to_string(LogLevel::kError), "error");
  EXPECT_EQ(to_string(LogLevel::kOff), "off");
}

}  // namespace
}  // namespace jina
