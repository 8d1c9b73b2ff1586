#include "qmp/migration_capabilities.h"

#include <algorithm>
#include <array>

namespace mimeo::qmp {

namespace {

constexpr std::array<std::string_view, 21> kQemuCapabilities = {
    "xbzrle",           "rdma-pin-all",  "auto-converge",       "zero-blocks",
    "compress",         "events",        "postcopy-ram",        "x-colo",
    "release-ram",      "block",         "return-path",         "pause-before-switchover",
    "multifd",          "dirty-bitmaps", "postcopy-blocktime",  "late-block-activate",
    "x-ignore-shared",  "validate-uuid", "background-snapshot", "zero-copy-send",
    "postcopy-preempt",
};

// The templating document's reasons ("Incompatible features", "VM migration").
std::string templating_refusal(std::string_view name) {
  std::string message = "Capability '" + std::string(name) + "' is not supported: ";
  if (name.starts_with("postcopy")) {
    return message +
           "postcopy migration discards RAM on the destination, and a VM based on a "
           "template cannot discard RAM of its template file (see QEMU's VM templating "
           "document)";
  }
  return message +
         "release-ram discards migrated RAM on the source, and a template VM cannot discard "
         "RAM of its template file (see QEMU's VM templating document)";
}

bool ruled_out_by_templating(std::string_view name) {
  return name == "postcopy-ram" || name == "postcopy-blocktime" || name == "postcopy-preempt" ||
         name == "release-ram" || name == "x-release-ram";
}

}  // namespace

std::span<const std::string_view> qemu_capability_names() { return kQemuCapabilities; }

bool is_known_capability(std::string_view name) {
  return name == "x-release-ram" || std::find(kQemuCapabilities.begin(), kQemuCapabilities.end(),
                                              name) != kQemuCapabilities.end();
}

bool capability_state(const MigrationCaps& caps, std::string_view name) {
  if (name == "x-ignore-shared") {
    return caps.ignore_shared;
  }
  if (name == "events") {
    return caps.events;
  }
  return false;
}

Result<MigrationCaps> apply_capability_changes(const MigrationCaps& current,
                                               const std::vector<CapabilityChange>& changes) {
  MigrationCaps next = current;
  for (const auto& change : changes) {
    if (change.name == "x-ignore-shared") {
      next.ignore_shared = change.state;
    } else if (change.name == "events") {
      next.events = change.state;
    } else if (!change.state) {
      continue;  // turning off what mimeo never does
    } else if (ruled_out_by_templating(change.name)) {
      return make_error(templating_refusal(change.name));
    } else {
      return make_error("Capability '" + change.name +
                        "' is not supported by mimeo (it supports x-ignore-shared and events)");
    }
  }
  return next;
}

}  // namespace mimeo::qmp
