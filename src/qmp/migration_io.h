// Moving a VM's state stream to and from a migration URI (file: or exec:). Files are
// written atomically (snapshot::write_file_atomically): a failed or interrupted
// `migrate` leaves no partial file, and an existing file is replaced only by a complete
// stream. An exec: command must exit with status 0 for the migration to succeed.
#pragma once

#include <mutex>
#include <optional>
#include <vector>

#include "base/result.h"
#include "qmp/exec_child.h"
#include "qmp/migration_uri.h"
#include "qmp/qmp_backend.h"
#include "snapshot/stream_file.h"
#include "vmm/machine.h"

namespace mimeo::qmp {

// The exec: child of the migration in progress, so that another thread can kill it.
class ChildSlot {
 public:
  void set(ExecChild* child) {
    std::lock_guard lock(mutex_);
    child_ = child;
  }
  void kill() {
    std::lock_guard lock(mutex_);
    if (child_ != nullptr) {
      child_->kill();
    }
  }

 private:
  std::mutex mutex_;
  ExecChild* child_ = nullptr;
};

// Saves `machine` (paused or not started) to `uri`.
Result<MigrationStats> save_to_uri(vmm::Machine& machine, const MigrationUri& uri,
                                   bool ignore_shared, ChildSlot& slot);

// A state stream read from a URI, with the bytes its RAM runs point into.
class IncomingStream {
 public:
  [[nodiscard]] const snapshot::DecodedStream& stream() const {
    return file_ ? file_->stream() : *decoded_;
  }

 private:
  friend Result<IncomingStream> read_from_uri(const MigrationUri&, ChildSlot&, bool*);
  std::optional<snapshot::StreamFile> file_;
  std::vector<uint8_t> bytes_;  // what an exec: command wrote (moving keeps the buffer)
  std::optional<snapshot::DecodedStream> decoded_;
};

// Reads and decodes the stream at `uri`. `*opened` tells whether the source was opened
// (file opened, command started): QEMU lets migrate-incoming be retried only when not.
Result<IncomingStream> read_from_uri(const MigrationUri& uri, ChildSlot& slot, bool* opened);

}  // namespace mimeo::qmp
