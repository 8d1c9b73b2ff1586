#include "in_process_clone.h"

#include "chardev/socket_chardev.h"
#include "snapshot/stream_file.h"

namespace mimeo::bench {

Result<std::unique_ptr<InProcessClone>> InProcessClone::restore(vmm::MachineConfig config,
                                                                const std::string& state_path,
                                                                const std::string& console_path) {
  std::unique_ptr<InProcessClone> clone(new InProcessClone);
  MIMEO_ASSIGN_OR_RETURN(auto socket,
                         chardev::SocketChardev::listen("", console_path, /*wait=*/false));
  clone->serial_ = std::make_shared<FaultingConsole>(std::move(socket));
  vmm::MachineIo io;
  io.serial = clone->serial_;
  config.incoming = true;
  config.start_paused = true;
  MIMEO_ASSIGN_OR_RETURN(clone->machine_, vmm::Machine::create(config, std::move(io)));
  {
    // Every clone reads the stream itself, as every worker does.
    MIMEO_ASSIGN_OR_RETURN(auto stream, snapshot::read_stream_file(state_path));
    MIMEO_TRY(clone->machine_->restore_state(stream.stream()));
  }
  MIMEO_TRY(clone->machine_->start());
  return clone;
}

InProcessClone::~InProcessClone() {
  if (machine_ && machine_->state() != vmm::RunState::kStopped) {
    machine_->request_stop("bench ended");
    (void)machine_->wait();
  }
}

Status InProcessClone::connect_console(const std::string& console_path) {
  MIMEO_ASSIGN_OR_RETURN(auto client, ConsoleClient::connect(console_path));
  console_.emplace(std::move(client));
  return {};
}

}  // namespace mimeo::bench
