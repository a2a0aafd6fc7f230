// The retry schedule of issue 4, point 6, with an injected random source
// (client_post_test runs it through post() with an injected clock too).
#include "client/retry.h"

#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "jina/error.h"

namespace jina::internal {
namespace {

using std::chrono::duration;

double seconds(Clock::duration d) { return duration<double>(d).count(); }

// Always the upper bound, and remembers the bounds it was asked for.
struct MaxRandom {
  std::vector<double>* bounds;
  double operator()(double lo, double hi) const {
    bounds->push_back(hi);
    return hi;
  }
};

TEST(BackoffTest, CeilingGrowsByTheMultiplierUpToTheMax) {
  Backoff b(
      {.max_attempts = 10, .initial_backoff = 0.5, .max_backoff = 2.0, .backoff_multiplier = 1.5},
      nullptr);
  EXPECT_DOUBLE_EQ(b.ceiling(2), 0.5);    // random(0, initial)
  EXPECT_DOUBLE_EQ(b.ceiling(3), 0.75);   // * 1.5
  EXPECT_DOUBLE_EQ(b.ceiling(4), 1.125);  // * 1.5^2
  EXPECT_DOUBLE_EQ(b.ceiling(5), 1.6875);
  EXPECT_DOUBLE_EQ(b.ceiling(6), 2.0);  // capped
  EXPECT_DOUBLE_EQ(b.ceiling(9), 2.0);
}

TEST(BackoffTest, DelayIsUniformBetweenZeroAndTheCeiling) {
  std::vector<double> bounds;
  Backoff b({.max_attempts = 4, .initial_backoff = 1, .max_backoff = 10, .backoff_multiplier = 2},
            MaxRandom{&bounds});
  EXPECT_EQ(b.delay_before(1), Clock::duration::zero());
  EXPECT_DOUBLE_EQ(seconds(*b.delay_before(2)), 1);
  EXPECT_DOUBLE_EQ(seconds(*b.delay_before(3)), 2);
  EXPECT_DOUBLE_EQ(seconds(*b.delay_before(4)), 4);
  EXPECT_FALSE(b.delay_before(5).has_value());  // attempts used up
  EXPECT_EQ(bounds, (std::vector<double>{1, 2, 4}));
}

TEST(BackoffTest, RandomValuesOutsideTheRangeAreClamped) {
  Backoff b({.max_attempts = 3, .initial_backoff = 1, .max_backoff = 1, .backoff_multiplier = 1},
            [](double, double) { return 7.0; });
  EXPECT_DOUBLE_EQ(seconds(*b.delay_before(2)), 1);
  Backoff negative({.max_attempts = 3}, [](double, double) { return -3.0; });
  EXPECT_EQ(*negative.delay_before(2), Clock::duration::zero());
}

TEST(BackoffTest, DefaultRandomStaysInRange) {
  Backoff b({.max_attempts = 3, .initial_backoff = 0.5}, nullptr);
  for (int i = 0; i < 1000; ++i) {
    double d = seconds(*b.delay_before(2));
    ASSERT_GE(d, 0);
    ASSERT_LE(d, 0.5);
  }
}

TEST(RetrySettingsTest, RejectsNonsense) {
  EXPECT_THROW(RetrySettings({.max_attempts = 0}).validate(), InvalidArgument);
  EXPECT_THROW(RetrySettings({.initial_backoff = -1}).validate(), InvalidArgument);
  EXPECT_THROW(RetrySettings({.max_backoff = std::nan("")}).validate(), InvalidArgument);
  EXPECT_THROW(RetrySettings({.backoff_multiplier = 0.5}).validate(), InvalidArgument);
  EXPECT_NO_THROW(RetrySettings{}.validate());
  PostOptions o;
  o.max_attempts = 3;
  o.initial_backoff = 0.1;
  RetrySettings s = RetrySettings::from(o);
  EXPECT_EQ(s.max_attempts, 3);
  EXPECT_DOUBLE_EQ(s.initial_backoff, 0.1);
}

TEST(RetryTest, RetryableCodesAreJinas) {
  EXPECT_TRUE(is_retryable(absl::StatusCode::kUnavailable));
  EXPECT_TRUE(is_retryable(absl::StatusCode::kDeadlineExceeded));
  EXPECT_TRUE(is_retryable(absl::StatusCode::kInternal));
  EXPECT_FALSE(is_retryable(absl::StatusCode::kInvalidArgument));
  EXPECT_FALSE(is_retryable(absl::StatusCode::kCancelled));
  EXPECT_FALSE(is_retryable(absl::StatusCode::kUnauthenticated));
  EXPECT_FALSE(is_retryable(absl::StatusCode::kOk));
}

}  // namespace
}  // namespace jina::internal
