// `mimeo worker` driven as the daemon drives it: spawned with a notify pipe,
// its control socket and the guest's console connected as Unix sockets.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "e2e/mimeo_process.h"
#include "e2e/template_support.h"

namespace mimeo::e2e {

struct WorkerUnderTest {
  std::unique_ptr<MimeoProcess> process;
  LineChannel notify;  // the read end of --notify-fd
  std::string control;
  std::string console;
};

// Starts `mimeo worker --template DIR --id ID --control SOCKETS/ID.control
// --console SOCKETS/ID.console --notify-fd N` (`control` overrides the control path).
WorkerUnderTest spawn_worker(const std::string& template_dir, const std::string& sockets,
                             const std::string& id, std::optional<std::string> control = {});

// A connection to a socket the worker listens on (an invalid channel if none
// within `timeout`).
LineChannel connect_channel(const std::string& path, milliseconds timeout = milliseconds(2000));

}  // namespace mimeo::e2e
