// migrate-set-capabilities: the capabilities mimeo implements (x-ignore-shared,
// events), the other names QEMU 7.2 knows (accepted when turned off, refused when
// turned on), and the ones VM templating rules out (postcopy, release-ram), refused
// with the templating document's reason.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace mimeo::qmp {

struct MigrationCaps {
  // RAM in memory-backend-file,share=on stays in its file; the stream refers to it.
  bool ignore_shared = false;
  // MIGRATION events are sent to the client.
  bool events = false;

  bool operator==(const MigrationCaps&) const = default;
};

struct CapabilityChange {
  std::string name;
  bool state = false;
};

// QEMU 7.2's MigrationCapability enum, in its order.
[[nodiscard]] std::span<const std::string_view> qemu_capability_names();
// A QEMU 7.2 name, or "x-release-ram" (release-ram's name before QEMU 3.0, as the
// templating document spells it).
[[nodiscard]] bool is_known_capability(std::string_view name);
// The state query-migrate-capabilities reports for `name`.
[[nodiscard]] bool capability_state(const MigrationCaps& caps, std::string_view name);

// `current` with every change applied, or the first change mimeo refuses (then nothing
// is applied). Names must be known (is_known_capability; the caller checked them).
[[nodiscard]] Result<MigrationCaps> apply_capability_changes(
    const MigrationCaps& current, const std::vector<CapabilityChange>& changes);

}  // namespace mimeo::qmp
