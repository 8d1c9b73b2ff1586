// The migration URIs mimeo's `migrate` and `migrate-incoming` (and -incoming) take:
//   file:PATH     the state stream in a file (QEMU has this from 8.2 on)
//   exec:COMMAND  `/bin/sh -c COMMAND`, fed the stream on its stdin (migrate) or
//                 producing it on its stdout (migrate-incoming)
// QEMU's network transports (tcp:, unix:, fd:, rdma:, vsock:) are not supported.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace mimeo::qmp {

struct MigrationUri {
  enum class Kind { kFile, kExec };
  Kind kind = Kind::kFile;
  std::string target;  // the path or the shell command, verbatim
  std::string text;    // the URI as given

  bool operator==(const MigrationUri&) const = default;
};

enum class MigrationDirection { kOutgoing, kIncoming };

// Errors are worded as QEMU words them for that direction ("Parameter 'uri' expects a
// valid migration protocol" for migrate, "unknown migration protocol: URI" for
// migrate-incoming), followed by what mimeo supports.
[[nodiscard]] Result<MigrationUri> parse_migration_uri(std::string_view text,
                                                       MigrationDirection direction);

}  // namespace mimeo::qmp
