// A random RFC 4122 version 4 UUID in its text form, for a clone's VM UUID.
#pragma once

#include <string>

#include "base/result.h"

namespace mimeo::service {

[[nodiscard]] Result<std::string> random_uuid();

}  // namespace mimeo::service
