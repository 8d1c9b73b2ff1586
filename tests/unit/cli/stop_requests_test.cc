// StopRequests before a machine exists (the running case is covered by
// tests/e2e/signal_test.cc, which needs KVM).
#include "cli/stop_requests.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mimeo::cli {
namespace {

TEST(StopRequests, ARequestBeforeTheMachineExistsIsKept) {
  std::vector<std::string> abandoned;
  StopRequests stops([&abandoned](const std::string& reason) { abandoned.push_back(reason); });
  EXPECT_FALSE(stops.pending());
  stops.stop("SIGTERM");
  stops.stop("SIGINT");
  EXPECT_EQ(stops.pending(), "SIGTERM");  // the first one counts
  EXPECT_TRUE(abandoned.empty());
}

TEST(StopRequests, ARequestDuringAnUninterruptibleStepAbandonsTheStart) {
  std::vector<std::string> abandoned;
  StopRequests stops([&abandoned](const std::string& reason) { abandoned.push_back(reason); });
  stops.set_abandon_start(true);
  stops.stop("SIGHUP");
  EXPECT_EQ(abandoned, std::vector<std::string>{"SIGHUP"});
  stops.set_abandon_start(false);
  stops.stop("SIGTERM");
  EXPECT_EQ(abandoned.size(), 1U);
  EXPECT_EQ(stops.pending(), "SIGTERM");
}

TEST(StopRequests, AnEarlierRequestAbandonsTheStartAtOnce) {
  std::vector<std::string> abandoned;
  StopRequests stops([&abandoned](const std::string& reason) { abandoned.push_back(reason); });
  stops.stop("SIGINT");
  stops.set_abandon_start(true);
  EXPECT_EQ(abandoned, std::vector<std::string>{"SIGINT"});
}

}  // namespace
}  // namespace mimeo::cli
