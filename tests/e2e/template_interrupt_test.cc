// An interrupted `mimeo template create` never leaves anything that looks like
// a template. Killed (SIGKILL) at any point, DIR either does not exist or is
// complete, and the next create removes the temporary directory it left.
// Stopped (SIGTERM, SIGINT), it exits non-zero and removes its temporary
// directory, unless the template was already published.
#include <gtest/gtest.h>

#include <csignal>
#include <filesystem>
#include <thread>

#include "e2e/template_support.h"

namespace mimeo::e2e {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> create_args(const std::string& dir, const std::string& ready_text) {
  return std::vector<std::string>{"template", "create",    dir,  "--ready-on-serial",
                                  ready_text, "--timeout", "20", "--quiet",
                                  "--"} +
         guest_template_options();
}

// A published template is whole: its three read-only files, accepted by inspect.
void expect_complete_template(const std::string& dir) {
  auto files = directory_state(dir);
  EXPECT_EQ(files.size(), 3U);
  for (const char* name : {"pc.ram", "state", "template.json"}) {
    EXPECT_TRUE(files[name].exists) << name;
    EXPECT_EQ(files[name].mode & 07777, 0444U) << name;
  }
  auto inspect = run_mimeo({"template", "inspect", dir});
  EXPECT_EQ(inspect.status, 0) << inspect.err;
}

// A create of DIR whose guest is up (its console is on stdout, so its temporary
// directory holds the guest's RAM) and that waits for a line that never comes;
// null if it did not get there.
std::unique_ptr<MimeoProcess> start_create_waiting(const std::string& dir) {
  auto create =
      MimeoProcess::start(std::vector<std::string>{"template", "create", dir, "--ready-on-serial",
                                                   "never printed", "--timeout", "20", "--"} +
                          guest_template_options());
  if (create && !create->console().wait_for_line(kReadyText, kBootTimeout)) {
    ADD_FAILURE() << "the guest did not come up: " << create->stderr_text();
    return nullptr;
  }
  return create;
}

// How long one whole create takes here, to spread the kills over it.
milliseconds time_one_create(const std::string& dir) {
  const auto start = Clock::now();
  create_template(dir);
  return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
}

TEST(TemplateCreateKilled, AtAnyPointLeavesNoDirectoryOrACompleteOne) {
  TempDir parent;
  const milliseconds whole = time_one_create(parent.file("timing"));
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  // From at once to a little past the end, denser at the start.
  std::vector<milliseconds> delays = {milliseconds(0), milliseconds(1), milliseconds(2),
                                      milliseconds(5), milliseconds(10)};
  for (int step = 1; step <= 20; ++step) {
    delays.push_back(milliseconds(10) + whole * step / 16);
  }
  int killed_before = 0;
  int published = 0;
  for (size_t i = 0; i < delays.size(); ++i) {
    SCOPED_TRACE("killed after " + std::to_string(delays[i].count()) + " ms");
    const std::string dir = parent.file("t" + std::to_string(i));
    auto create = MimeoProcess::start(create_args(dir, kReadyText));
    ASSERT_TRUE(create);
    std::this_thread::sleep_for(delays[i]);
    create->signal(SIGKILL);
    auto status = create->wait_exit();
    ASSERT_TRUE(status.has_value());
    if (std::filesystem::exists(dir)) {
      ++published;
      expect_complete_template(dir);
    } else {
      ++killed_before;
      EXPECT_EQ(*status, 128 + SIGKILL) << create->stderr_text();
    }
  }
  // Both outcomes were seen: the sweep covered the whole create.
  EXPECT_GT(killed_before, 0);
  EXPECT_GT(published, 0);

  // A create killed after it made its DIR.tmp-XXXXXX cannot remove it; the next
  // create beside it does, and says so.
  size_t left = 0;
  for (size_t i = 0; i < delays.size(); ++i) {
    left += temp_dirs_beside(parent.file("t" + std::to_string(i))).size();
  }
  auto next = run_mimeo(create_args(parent.file("next"), kReadyText));
  EXPECT_EQ(next.status, 0) << next.err;
  size_t reported = 0;
  for (size_t at = 0;
       (at = next.err.find("left by a template create that was killed", at)) != std::string::npos;
       ++at) {
    ++reported;
  }
  EXPECT_EQ(reported, left) << next.err;
  for (size_t i = 0; i < delays.size(); ++i) {
    EXPECT_EQ(temp_dirs_beside(parent.file("t" + std::to_string(i))), std::vector<std::string>{});
  }
  expect_complete_template(parent.file("next"));
}

// Killed while it waits for the guest: its DIR.tmp-XXXXXX stays (nothing can run on
// SIGKILL) until the next create beside it, which removes it and says so.
TEST(TemplateCreateKilled, WhileWaitingLeavesADirectoryTheNextCreateRemoves) {
  TempDir parent;
  const std::string dir = parent.file("t");
  auto create = start_create_waiting(dir);
  ASSERT_TRUE(create);
  ASSERT_TRUE(create->signal(SIGKILL));
  ASSERT_EQ(create->wait_exit(), 128 + SIGKILL);
  const auto left = temp_dirs_beside(dir);
  ASSERT_EQ(left.size(), 1U);

  auto next = run_mimeo(create_args(parent.file("u"), kReadyText));
  EXPECT_EQ(next.status, 0) << next.err;
  EXPECT_EQ(next.err, "mimeo template create: removed " + parent.file(left[0]) +
                          ", left by a template create that was killed\n");
  EXPECT_EQ(temp_dirs_beside(dir), std::vector<std::string>{});
  EXPECT_FALSE(std::filesystem::exists(dir));
  expect_complete_template(parent.file("u"));
}

// Racing creates of one DIR: the first rename publishes, the others fail and clean up.
TEST(TemplateCreateRace, OneOfConcurrentCreatesPublishes) {
  TempDir parent;
  const std::string dir = parent.file("t");
  std::vector<std::unique_ptr<MimeoProcess>> creates;
  for (int i = 0; i < 3; ++i) {
    creates.push_back(
        MimeoProcess::start(std::vector<std::string>{"template", "create", dir, "--ready-after",
                                                     "0.3", "--quiet", "--"} +
                            guest_template_options()));
    ASSERT_TRUE(creates.back());
  }
  int published = 0;
  for (auto& create : creates) {
    auto status = create->wait_exit(milliseconds(20'000));
    ASSERT_TRUE(status.has_value());
    if (*status == 0) {
      ++published;
      continue;
    }
    EXPECT_EQ(*status, 1);
    const std::string& err = create->stderr_text();
    EXPECT_TRUE(err.starts_with("mimeo template create: rename " + dir + ".tmp-")) << err;
    EXPECT_TRUE(err.ends_with(" to " + dir + ": File exists; nothing was created\n")) << err;
  }
  EXPECT_EQ(published, 1);
  EXPECT_EQ(temp_dirs_beside(dir), std::vector<std::string>{});
  expect_complete_template(dir);
}

struct StopCase {
  int number;
  std::string name;
};
void PrintTo(const StopCase& c, std::ostream* os) { *os << c.name; }

class TemplateCreateStopped : public ::testing::TestWithParam<StopCase> {};

// Stopped while it waits for the guest: nothing is left, not even the temporary directory.
TEST_P(TemplateCreateStopped, WhileWaitingRemovesItsTemporaryDirectory) {
  TempDir parent;
  const std::string dir = parent.file("t");
  auto create = start_create_waiting(dir);
  ASSERT_TRUE(create);
  ASSERT_EQ(temp_dirs_beside(dir).size(), 1U);
  ASSERT_TRUE(create->signal(GetParam().number));
  EXPECT_EQ(create->wait_exit(), 1);
  EXPECT_EQ(create->stderr_text(),
            "mimeo template create: the VM stopped before it was ready: VM stopped on request: " +
                GetParam().name + "; nothing was created\n");
  EXPECT_EQ(directory_state(parent.path()).size(), 0U);
}

// Stopped at any point: a failure with nothing left, or (the stop came too
// late) a complete template and status 0.
TEST_P(TemplateCreateStopped, AtAnyPointFailsCleanlyOrPublishesAWholeTemplate) {
  TempDir parent;
  const milliseconds whole = time_one_create(parent.file("timing"));
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  int stopped = 0;
  for (int step = 0; step <= 12; ++step) {
    const milliseconds delay = whole * step / 10;
    SCOPED_TRACE(GetParam().name + " after " + std::to_string(delay.count()) + " ms");
    const std::string dir = parent.file("t" + std::to_string(step));
    auto create = MimeoProcess::start(create_args(dir, kReadyText));
    ASSERT_TRUE(create);
    std::this_thread::sleep_for(delay);
    create->signal(GetParam().number);
    auto status = create->wait_exit();
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(temp_dirs_beside(dir), std::vector<std::string>{});
    if (*status == 0) {
      expect_complete_template(dir);
    } else {
      ++stopped;
      EXPECT_FALSE(std::filesystem::exists(dir)) << "status " << *status;
    }
  }
  EXPECT_GT(stopped, 0);
}

INSTANTIATE_TEST_SUITE_P(Signals, TemplateCreateStopped,
                         ::testing::Values(StopCase{SIGTERM, "SIGTERM"},
                                           StopCase{SIGINT, "SIGINT"}),
                         [](const auto& param_info) { return param_info.param.name; });

}  // namespace
}  // namespace mimeo::e2e
