#include "chardev/chardev_spec.h"

#include <gtest/gtest.h>

namespace mimeo::chardev {
namespace {

ChardevSpec socket_spec(std::string path, bool server, bool wait, std::string id = "") {
  ChardevSpec s;
  s.backend = Backend::kSocket;
  s.id = std::move(id);
  s.path = std::move(path);
  s.server = server;
  s.wait = wait;
  return s;
}

TEST(ParseSerialOption, QemuForms) {
  auto none = parse_serial_option("none");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->kind, SerialSpec::Kind::kNone);

  auto stdio = parse_serial_option("stdio");
  ASSERT_TRUE(stdio.ok());
  EXPECT_EQ(stdio->kind, SerialSpec::Kind::kBackend);
  EXPECT_EQ(stdio->backend.backend, Backend::kStdio);
  EXPECT_TRUE(stdio->backend.signal);

  auto null = parse_serial_option("null");
  ASSERT_TRUE(null.ok());
  EXPECT_EQ(null->backend.backend, Backend::kNull);

  auto file = parse_serial_option("file:/tmp/console,1.log");  // the rest is the path, verbatim
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->backend.backend, Backend::kFile);
  EXPECT_EQ(file->backend.path, "/tmp/console,1.log");
  EXPECT_FALSE(file->backend.append);

  auto ref = parse_serial_option("chardev:con0");
  ASSERT_TRUE(ref.ok());
  EXPECT_EQ(ref->kind, SerialSpec::Kind::kChardevRef);
  EXPECT_EQ(ref->chardev_id, "con0");
}

TEST(ParseSerialOption, UnixSocketForms) {
  auto server = parse_serial_option("unix:/run/vm.sock,server=on,wait=off");
  ASSERT_TRUE(server.ok()) << server.error().describe();
  EXPECT_EQ(server->backend, socket_spec("/run/vm.sock", true, false));
  auto waiting = parse_serial_option("unix:/run/vm.sock,server=on");
  ASSERT_TRUE(waiting.ok());
  EXPECT_EQ(waiting->backend, socket_spec("/run/vm.sock", true, true));
  auto client = parse_serial_option("unix:/run/vm.sock");
  ASSERT_TRUE(client.ok());
  EXPECT_EQ(client->backend, socket_spec("/run/vm.sock", false, true));
  auto legacy = parse_serial_option("unix:/run/vm.sock,server,nowait");
  ASSERT_TRUE(legacy.ok()) << legacy.error().describe();
  EXPECT_EQ(legacy->backend, socket_spec("/run/vm.sock", true, false));
  auto comma = parse_serial_option("unix:/run/a,,b,server=on");
  ASSERT_TRUE(comma.ok());
  EXPECT_EQ(comma->backend.path, "/run/a,b");
}

TEST(ParseSerialOption, RejectsBadValuesNamingThem) {
  EXPECT_EQ(parse_serial_option("pty").error().message,
            "-serial: backend 'pty' in 'pty' is not supported (use stdio, null, none, file:PATH, "
            "unix:PATH[,server=on][,wait=off] or chardev:ID)");
  EXPECT_EQ(parse_serial_option("tcp:localhost:4444").error().message.substr(0, 45),
            "-serial: backend 'tcp' in 'tcp:localhost:4444");
  EXPECT_EQ(parse_serial_option("").error().message.substr(0, 22), "-serial: empty value (");
  EXPECT_EQ(parse_serial_option("file:").error().message,
            "-serial: file: needs a path (file:PATH)");
  EXPECT_EQ(parse_serial_option("unix:").error().message,
            "-serial: unix: needs a path (unix:PATH[,server=on][,wait=off])");
  EXPECT_EQ(parse_serial_option("unix:/s,server=on,speed=9600").error().message,
            "-serial: unknown parameter 'speed'");
  EXPECT_EQ(parse_serial_option("unix:/s,server=maybe").error().message,
            "-serial: server='maybe' is not a boolean (use on or off)");
  EXPECT_EQ(parse_serial_option("unix:/s,wait=off").error().message,
            "-serial: wait= only applies to a socket with server=on");
  EXPECT_EQ(parse_serial_option("chardev:").error().message,
            "-serial: 'chardev:' does not name a chardev id");
  EXPECT_EQ(parse_serial_option("chardev:9x").error().message,
            "-serial: 'chardev:9x' does not name a chardev id");
  EXPECT_FALSE(parse_serial_option("stdio,signal=off").ok());
}

TEST(ParseChardevOption, Backends) {
  auto sock = parse_chardev_option("socket,id=con0,path=/run/vm.sock,server=on,wait=off");
  ASSERT_TRUE(sock.ok()) << sock.error().describe();
  EXPECT_EQ(*sock, socket_spec("/run/vm.sock", true, false, "con0"));

  auto file = parse_chardev_option("file,id=log,path=/var/log/vm.log,append=on");
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->backend, Backend::kFile);
  EXPECT_EQ(file->id, "log");
  EXPECT_EQ(file->path, "/var/log/vm.log");
  EXPECT_TRUE(file->append);

  auto stdio = parse_chardev_option("stdio,id=s0,signal=off");
  ASSERT_TRUE(stdio.ok());
  EXPECT_EQ(stdio->backend, Backend::kStdio);
  EXPECT_FALSE(stdio->signal);

  auto null = parse_chardev_option("null,id=n");
  ASSERT_TRUE(null.ok());
  EXPECT_EQ(null->backend, Backend::kNull);
  EXPECT_EQ(null->id, "n");
}

TEST(ParseChardevOption, RejectsBadValuesNamingThem) {
  EXPECT_EQ(parse_chardev_option("pty,id=x").error().message,
            "-chardev: backend 'pty' is not supported (use socket, file, stdio or null)");
  EXPECT_EQ(parse_chardev_option("id=x,path=/p").error().message,
            "-chardev: 'id=x,path=/p' does not start with a backend");
  EXPECT_EQ(parse_chardev_option("file,path=/tmp/x").error().message, "-chardev file: needs id=");
  EXPECT_EQ(parse_chardev_option("file,id=x").error().message, "-chardev: file needs path=");
  EXPECT_EQ(parse_chardev_option("file,id=x,path=/tmp/x,mux=on").error().message,
            "-chardev: unknown parameter 'mux'");
  EXPECT_EQ(parse_chardev_option("file,id=x,path=/tmp/x,append=sometimes").error().message,
            "-chardev: append='sometimes' is not a boolean (use on or off)");
  EXPECT_EQ(parse_chardev_option("socket,id=x,host=localhost,port=4444").error().message,
            "-chardev socket: TCP sockets (host=, port=) are not supported; use path= for a "
            "Unix socket");
  EXPECT_EQ(parse_chardev_option("socket,id=x").error().message, "-chardev: socket needs path=");
  EXPECT_EQ(parse_chardev_option("socket,id=x,path=/s,wait=off").error().message,
            "-chardev: wait= only applies to a socket with server=on");
  EXPECT_EQ(parse_chardev_option("stdio,id=x,path=/s").error().message,
            "-chardev: unknown parameter 'path'");
  EXPECT_EQ(parse_chardev_option("null,id=1st").error().message,
            "-chardev null: id='1st' must start with a letter and hold only letters, digits, '-', "
            "'.' and '_'");
  EXPECT_EQ(parse_chardev_option("null,id=a,id=b").error().message, "-chardev: id given twice");
  EXPECT_FALSE(parse_chardev_option("").ok());
}

}  // namespace
}  // namespace mimeo::chardev
