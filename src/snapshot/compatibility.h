// Whether a saved state stream can be restored here: one error naming the first
// difference, phrased for the user ("state stream was saved on a GenuineIntel CPU,
// this host is AuthenticAMD").
#pragma once

#include "base/result.h"
#include "snapshot/stream_types.h"

namespace mimeo::snapshot {

// CPU vendor, TSC frequency (within KVM's 250 ppm tolerance), every CPUID entry the
// guest saw (same leaves, same registers) and every KVM capability used (same value;
// an absent capability counts as 0).
Status check_compatible(const HostFacts& saved, const HostFacts& here);

// The configured memory backends are the saved ones: same ids, guest-physical bases,
// sizes and storage kinds. File contents are checked separately (check_file_fingerprint),
// against the configured file, so a moved template file is fine.
Status check_layout(const MemoryLayout& saved, const MemoryLayout& configured);

}  // namespace mimeo::snapshot
