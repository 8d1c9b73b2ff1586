// QEMU's -serial and -chardev options, parsed into plain specs (opening them is
// open_chardev's job). Supported:
//   -serial stdio | null | none | file:PATH | unix:PATH[,server=on][,wait=off] | chardev:ID
//   -chardev stdio,id=ID[,signal=on|off]
//   -chardev file,id=ID,path=PATH[,append=on]
//   -chardev socket,id=ID,path=PATH[,server=on[,wait=off]]
//   -chardev null,id=ID
// QEMU's short booleans (server, nowait, ...) are accepted as spelled in old documentation.
#pragma once

#include <string>
#include <string_view>

#include "base/keyval.h"
#include "base/result.h"

namespace mimeo::chardev {

enum class Backend { kStdio, kFile, kSocket, kNull };

// The -chardev name of a backend ("stdio", "file", "socket", "null").
[[nodiscard]] std::string_view backend_name(Backend backend);

struct ChardevSpec {
  Backend backend = Backend::kNull;
  std::string id;       // empty for an inline -serial backend
  std::string path;     // file, socket
  bool append = false;  // file: append instead of truncating
  bool server = false;  // socket: listen on path (true) or connect to it (false)
  bool wait = true;     // socket server: wait in open until the first client connects
  bool signal = true;   // stdio: ^C, ^Z, ^\ raise signals instead of reaching the guest

  bool operator==(const ChardevSpec&) const = default;
};

struct SerialSpec {
  enum class Kind {
    kNone,        // -serial none: no serial port
    kBackend,     // an inline backend: `backend`
    kChardevRef,  // -serial chardev:ID: the -chardev named `chardev_id`
  };
  Kind kind = Kind::kNone;
  ChardevSpec backend;
  std::string chardev_id;

  bool operator==(const SerialSpec&) const = default;
};

// Errors name the option and the offending value: "-serial: backend 'pty' is not supported
// (use stdio, null, none, file:PATH, unix:PATH[,server=on][,wait=off] or chardev:ID)".
Result<SerialSpec> parse_serial_option(std::string_view value);
Result<ChardevSpec> parse_chardev_option(std::string_view value);

// The part of a Unix socket spec after "unix:" (PATH[,server=on][,wait=off], QEMU's short
// booleans server, nowait, ... accepted), as -serial unix: and -qmp unix: take it: the
// leading PATH under the key "path", and no key but path, server and wait. Errors begin
// with `option`. What server= and wait= mean is left to the caller.
Result<KeyValues> parse_unix_socket_keyvals(std::string_view rest, std::string_view option);

}  // namespace mimeo::chardev
