// The shared test directory helper, under the name the snapshot tests use.
#pragma once

#include "common/temp_dir.h"

namespace mimeo::snapshot::testing {

using TempDir = mimeo::testing::TempDir;

}  // namespace mimeo::snapshot::testing
