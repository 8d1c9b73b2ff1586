// mimeo's commands talking to the daemon, as a user types them: template
// create/ls/inspect/rm, clone, ps, pause, resume, attach, rm.
#include <gtest/gtest.h>
#include <stdlib.h>

#include "common/temp_dir.h"
#include "e2e/daemon_support.h"
#include "e2e/template_support.h"

namespace mimeo::e2e {
namespace {

class DaemonCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    socket_ = dir_.path() + "/api.sock";
    daemon_ = DaemonProcess::start(socket_, dir_.path() + "/state", 1);
    ASSERT_NE(daemon_, nullptr);
    ::setenv("MIMEO_SOCKET", socket_.c_str(), 1);
  }
  void TearDown() override { ::unsetenv("MIMEO_SOCKET"); }

  testing::TempDir dir_;
  std::string socket_;
  std::unique_ptr<DaemonProcess> daemon_;
};

TEST_F(DaemonCliTest, TemplatesAndClonesFromTheCommandLine) {
  auto created = run_mimeo(
      {"template", "create", "guest", "--ready-on-serial", "mimeo-guest ready", "--timeout", "30",
       "--pool-size", "1", "--", "-m", "64M", "-kernel", MIMEO_GUEST_ELF},
      milliseconds(40000));
  ASSERT_EQ(created.status, 0) << created.err;
  EXPECT_EQ(created.out, "guest\n");
  auto listed = run_mimeo({"template", "ls"});
  ASSERT_EQ(listed.status, 0) << listed.err;
  EXPECT_NE(listed.out.find("guest"), std::string::npos) << listed.out;
  auto inspected = run_mimeo({"template", "inspect", "guest"});
  ASSERT_EQ(inspected.status, 0) << inspected.err;
  EXPECT_NE(inspected.out.find("\"memory_bytes\": 67108864"), std::string::npos) << inspected.out;

  auto cloned = run_mimeo({"clone", "guest", "--count", "2"});
  ASSERT_EQ(cloned.status, 0) << cloned.err;
  const auto ids = lines_of(cloned.out);
  ASSERT_EQ(ids.size(), 2u) << cloned.out;
  auto ps = run_mimeo({"ps", "-q"});
  EXPECT_EQ(lines_of(ps.out), ids);
  auto table = run_mimeo({"ps"});
  EXPECT_NE(table.out.find("running"), std::string::npos) << table.out;

  EXPECT_EQ(run_mimeo({"pause", ids[0]}).out, ids[0] + " paused\n");
  EXPECT_EQ(run_mimeo({"resume", ids[0]}).out, ids[0] + " running\n");

  // attach with stdin from a pipe: the guest's answer comes back on stdout.
  auto attach = MimeoProcess::start({"attach", ids[0], "--linger-ms", "500"});
  ASSERT_NE(attach, nullptr);
  ASSERT_TRUE(attach->console().send_line("ping"));
  attach->console().close_output();
  EXPECT_EQ(attach->wait_exit(), 0);
  EXPECT_NE(attach->console().text().find("pong"), std::string::npos)
      << attach->console().text() << attach->stderr_text();

  auto busy = run_mimeo({"template", "rm", "guest"});
  EXPECT_EQ(busy.status, 1);
  EXPECT_NE(busy.err.find("delete them first"), std::string::npos) << busy.err;
  auto removed = run_mimeo({"rm", ids[0], ids[1]});
  EXPECT_EQ(removed.status, 0) << removed.err;
  EXPECT_EQ(lines_of(run_mimeo({"ps", "-q"}).out).size(), 0u);
  EXPECT_EQ(run_mimeo({"template", "rm", "guest"}).status, 0);
}

TEST_F(DaemonCliTest, MistakesGetOneClearError) {
  auto unknown = run_mimeo({"rm", "nosuchclone"});
  EXPECT_EQ(unknown.status, 1);
  EXPECT_EQ(unknown.err, "mimeo rm: no clone with id or name 'nosuchclone'\n");
  auto no_template = run_mimeo({"clone", "nosuchtemplate"});
  EXPECT_EQ(no_template.status, 1);
  EXPECT_NE(no_template.err.find("no template named 'nosuchtemplate'"), std::string::npos)
      << no_template.err;
  auto qemu_option = run_mimeo({"clone", "nosuchtemplate", "-serial", "stdio"});
  EXPECT_EQ(qemu_option.status, 1);
  EXPECT_NE(qemu_option.err.find("'-serial' is not an option"), std::string::npos)
      << qemu_option.err;
  auto bad_name = run_mimeo(
      {"template", "create", "bad name", "--ready-after", "0", "--", "-kernel", MIMEO_GUEST_ELF});
  EXPECT_EQ(bad_name.status, 1);
  EXPECT_NE(bad_name.err.find("invalid"), std::string::npos) << bad_name.err;
  ::setenv("MIMEO_SOCKET", (dir_.path() + "/nobody.sock").c_str(), 1);
  auto no_daemon = run_mimeo({"ps"});
  EXPECT_EQ(no_daemon.status, 1);
  EXPECT_NE(no_daemon.err.find("cannot connect to the mimeo daemon"), std::string::npos)
      << no_daemon.err;
}

}  // namespace
}  // namespace mimeo::e2e
