// -qmp, -incoming and migration URIs.
#include <gtest/gtest.h>

#include "qmp/machine_backend.h"
#include "qmp/migration_uri.h"
#include "qmp/qmp_option.h"

namespace mimeo::qmp {
namespace {

TEST(QmpOption, KataAndOldQemuSpellings) {
  EXPECT_EQ(*parse_qmp_option("unix:/run/vm/qmp.sock,server=on,wait=off"),
            (QmpSpec{"/run/vm/qmp.sock", false}));
  EXPECT_EQ(*parse_qmp_option("unix:/tmp/q,server,nowait"), (QmpSpec{"/tmp/q", false}));
  EXPECT_EQ(*parse_qmp_option("unix:/tmp/q,server"), (QmpSpec{"/tmp/q", true}));
  EXPECT_EQ(*parse_qmp_option("unix:/tmp/a,,b,server=on"), (QmpSpec{"/tmp/a,b", true}));
}

TEST(QmpOption, ErrorsNameTheValue) {
  auto message = [](std::string_view value) { return parse_qmp_option(value).error().message; };
  EXPECT_EQ(message("tcp:localhost:4444,server=on"),
            "-qmp tcp:localhost:4444,server=on: mimeo's QMP monitor is a Unix socket: use "
            "unix:PATH,server=on[,wait=off]");
  EXPECT_EQ(message("unix:/tmp/q"),
            "-qmp unix:/tmp/q: mimeo listens for its QMP client: add server=on (connecting out, "
            "QEMU's server=off, is not supported)");
  EXPECT_EQ(message("unix:,server=on"),
            "-qmp unix:,server=on: unix: needs a path (unix:PATH,server=on[,wait=off])");
  EXPECT_EQ(message("unix:/tmp/q,server=on,telnet=on"),
            "-qmp unix:/tmp/q,server=on,telnet=on: unknown parameter 'telnet'");
  EXPECT_EQ(message("unix:/tmp/q,server=maybe"),
            "-qmp unix:/tmp/q,server=maybe: server='maybe' is not a boolean (use on or off)");
}

TEST(MigrationUri, FileAndExec) {
  auto file = parse_migration_uri("file:/var/lib/t/state", MigrationDirection::kOutgoing);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(*file,
            (MigrationUri{MigrationUri::Kind::kFile, "/var/lib/t/state", "file:/var/lib/t/state"}));
  auto exec = parse_migration_uri("exec:cat>/tmp/s", MigrationDirection::kIncoming);
  ASSERT_TRUE(exec.ok());
  EXPECT_EQ(exec->kind, MigrationUri::Kind::kExec);
  EXPECT_EQ(exec->target, "cat>/tmp/s");
  EXPECT_EQ(parse_migration_uri("exec: ", MigrationDirection::kOutgoing).error().message,
            "migration URI 'exec: ' needs a command (exec:COMMAND)");
}

TEST(IncomingOption, DeferOrAUri) {
  auto defer = parse_incoming_option("defer");
  ASSERT_TRUE(defer.ok());
  EXPECT_FALSE(defer->has_value());
  auto uri = parse_incoming_option("file:/t/state");
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ((*uri)->target, "/t/state");
  EXPECT_EQ(parse_incoming_option("tcp:0:4444").error().message,
            "-incoming tcp:0:4444: unknown migration protocol: tcp:0:4444 (mimeo supports "
            "file:PATH and exec:COMMAND)");
}

}  // namespace
}  // namespace mimeo::qmp
