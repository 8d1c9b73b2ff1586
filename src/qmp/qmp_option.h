// -qmp: QEMU's monitor option, for the one form templating tools use:
//   -qmp unix:PATH,server=on,wait=off      (also QEMU's old spelling unix:PATH,server,nowait)
// wait=on (QEMU's default for a server) means: start the VM only once a client is
// connected. QEMU's other chardevs (tcp:, stdio, client mode) are refused, naming the value.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace mimeo::qmp {

struct QmpSpec {
  std::string path;
  bool wait = true;

  bool operator==(const QmpSpec&) const = default;
};

[[nodiscard]] Result<QmpSpec> parse_qmp_option(std::string_view value);

}  // namespace mimeo::qmp
