// The templating document's steps driven over a real QMP socket, as Kata Containers' VM
// factory drives QEMU: the template VM is stopped and migrated to a file with
// x-ignore-shared; a clone started with -incoming defer is restored by migrate-incoming,
// reports "paused", and answers on its console with the template's memory after `cont`.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>

#include "guest_session.h"
#include "qmp/machine_backend.h"
#include "qmp/qmp_server.h"
#include "test_files.h"
#include "unit/qmp/qmp_test_client.h"

namespace mimeo::testing {
namespace {

using qmp::Json;
using qmp::testing::QmpTestClient;

const Json kOk = Json::parse(R"({"return": {}})");

std::vector<std::string> template_args(const std::string& dir) {
  return guest_args({"-object",
                     "memory-backend-file,id=pc.ram,size=64M,share=on,mem-path=" + dir + "/ram",
                     "-machine", "microvm,memory-backend=pc.ram"});
}

std::vector<std::string> clone_args(const std::string& dir) {
  return guest_args(
      {"-object",
       "memory-backend-file,id=pc.ram,size=64M,readonly=on,rom=off,mem-path=" + dir + "/ram",
       "-machine", "microvm,memory-backend=pc.ram"});
}

// A VM with its QMP monitor: the session, backend and server, torn down in that order
// (server, backend, machine).
struct MonitoredVm {
  GuestSession guest;
  std::unique_ptr<qmp::MachineBackend> backend;
  std::unique_ptr<qmp::QmpServer> server;
  std::optional<QmpTestClient> client;

  // Serves QMP at `socket` for guest.machine and connects a negotiated client.
  void serve(qmp::StartMode mode, const std::string& socket) {
    backend = std::make_unique<qmp::MachineBackend>(*guest.machine, mode);
    auto started = qmp::QmpServer::start({socket, false}, *backend);
    ASSERT_TRUE(started.ok()) << started.error().describe();
    server = std::move(started.value());
    client = QmpTestClient::connect(socket);
    ASSERT_TRUE(client);
    auto greeting = client->message();
    ASSERT_TRUE(greeting);
    ASSERT_EQ((*greeting)["QMP"]["version"]["qemu"]["major"], 7);
    ASSERT_EQ(client->command("qmp_capabilities"), kOk);
  }
  std::string status() {
    return client->command("query-status")["return"]["status"].get<std::string>();
  }

  ~MonitoredVm() {
    client.reset();
    server.reset();
    if (backend && guest.machine && guest.machine->state() != vmm::RunState::kStopped) {
      guest.machine->request_stop("test ended");
      backend->wait();
    }
    backend.reset();
  }
};

// Creates guest.machine from `args` (not started), with `incoming` and `start_paused` set
// as `mimeo run` sets them for -incoming and -S.
Status create_machine(GuestSession& guest, const std::vector<std::string>& args, bool incoming,
                      bool start_paused) {
  auto options = cli::parse_run_options(args);
  if (!options.ok()) {
    return options.error();
  }
  auto plan = cli::build_run_plan(*options);
  if (!plan.ok()) {
    return plan.error();
  }
  plan->machine.incoming = incoming;
  plan->machine.start_paused = start_paused;
  vmm::MachineIo io;
  io.serial = guest.console;
  MIMEO_ASSIGN_OR_RETURN(guest.machine, vmm::Machine::create(plan->machine, io));
  return {};
}

// A clone's machine, created for -incoming (not started).
Status create_incoming(GuestSession& clone, const std::string& dir) {
  return create_machine(clone, clone_args(dir), /*incoming=*/true, /*start_paused=*/false);
}

class QmpMachine : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!have_kvm()) {
      GTEST_SKIP() << "/dev/kvm is not available";
    }
  }

  // Boots the template, writes a marker, and saves it over QMP to `uri` as the templating
  // document says. Returns the guest's `sum` answer.
  std::string make_template(const std::string& uri) {
    MonitoredVm vm;
    EXPECT_TRUE(vm.guest.boot(template_args(dir.path())).ok());
    vm.serve(qmp::StartMode::kRun, dir.path() + "/template.qmp");
    EXPECT_EQ(vm.status(), "running");
    EXPECT_EQ(vm.guest.ask("write 0x3000000 0x5eed"), "ok");
    std::string sum = vm.guest.ask("sum");

    EXPECT_EQ(vm.client->command("stop"), kOk);
    EXPECT_EQ(vm.client->event()["event"], "STOP");
    EXPECT_EQ(vm.status(), "paused");
    EXPECT_EQ(vm.client->command("migrate-set-capabilities",
                                 {{"capabilities",
                                   {{{"capability", "x-ignore-shared"}, {"state", true}},
                                    {{"capability", "events"}, {"state", true}}}}}),
              kOk);
    EXPECT_EQ(vm.client->command("migrate", {{"uri", uri}}), kOk);
    for (const char* status : {"setup", "active", "completed"}) {
      Json event = vm.client->event();
      EXPECT_EQ(event["event"], "MIGRATION");
      EXPECT_EQ(event["data"]["status"], status);
    }
    Json info = vm.client->command("query-migrate")["return"];
    EXPECT_EQ(info["status"], "completed") << info;
    // x-ignore-shared: the 64 MiB stay in the RAM file; the stream is small.
    EXPECT_EQ(info["ram"]["total"], 0) << info;
    EXPECT_GT(info["ram"]["transferred"].get<uint64_t>(), 0U);
    EXPECT_LT(info["ram"]["transferred"].get<uint64_t>(), 64U * 1024) << info;
    EXPECT_EQ(vm.status(), "postmigrate");
    return sum;
  }

  // Restores a clone with -incoming defer + migrate-incoming `uri`, continues it and checks
  // that it answers with the template's memory.
  void run_clone(const std::string& uri, const std::string& sum, int index) {
    MonitoredVm vm;
    ASSERT_TRUE(create_incoming(vm.guest, dir.path()).ok());
    vm.serve(qmp::StartMode::kIncoming, dir.path() + "/clone.qmp");
    EXPECT_EQ(vm.status(), "inmigrate");
    EXPECT_EQ(vm.client->command("query-migrate"), kOk);
    EXPECT_EQ(vm.client->command(
                  "migrate-set-capabilities",
                  {{"capabilities", {{{"capability", "x-ignore-shared"}, {"state", true}}}}}),
              kOk);
    EXPECT_EQ(vm.client->command("migrate-incoming", {{"uri", uri}}), kOk);
    EXPECT_EQ(vm.client->command("query-migrate"),
              Json::parse(R"({"return": {"status": "completed"}})"));
    EXPECT_EQ(vm.status(), "paused");
    EXPECT_EQ(vm.client->command("cont"), kOk);
    EXPECT_EQ(vm.client->event()["event"], "RESUME");
    EXPECT_EQ(vm.status(), "running");
    EXPECT_EQ(vm.guest.ask("ping"), "pong");
    EXPECT_EQ(vm.guest.ask("read 0x3000000"), "0x0000000000005eed");
    EXPECT_EQ(vm.guest.ask("sum"), sum);
    EXPECT_EQ(vm.guest.ask(fmt::format("write 0x1000000 0x{:x}", 100 + index)), "ok");

    // quit: reply, SHUTDOWN, and the VM stops.
    EXPECT_EQ(vm.client->command("quit"), kOk);
    EXPECT_EQ(vm.client->event()["event"], "SHUTDOWN");
    vmm::ExitReport report = vm.backend->wait();
    EXPECT_EQ(report.kind, vmm::ExitKind::kQuit);
    EXPECT_EQ(report.detail, "QMP quit");
  }

  TempDir dir;
};

TEST_F(QmpMachine, TemplateToFileAndClonesByMigrateIncoming) {
  const std::string state = dir.path() + "/state";
  const std::string sum = make_template("file:" + state);
  struct stat st {};
  ASSERT_EQ(::stat(state.c_str(), &st), 0);
  ::chmod((dir.path() + "/ram").c_str(), 0444);
  const std::string ram_before = file_bytes(dir.path() + "/ram");
  for (int i = 0; i < 2; ++i) {
    run_clone("file:" + state, sum, i);
  }
  EXPECT_TRUE(file_bytes(dir.path() + "/ram") == ram_before);
}

TEST_F(QmpMachine, ExecUrisAsKataUsesThem) {
  const std::string state = dir.path() + "/state";
  const std::string sum = make_template("exec:cat>" + state);
  run_clone("exec:cat " + state, sum, 0);
}

TEST_F(QmpMachine, AFailedMigrationLeavesNoFileAndTheVmAsItWas) {
  MonitoredVm vm;
  ASSERT_TRUE(vm.guest.boot(template_args(dir.path())).ok());
  vm.serve(qmp::StartMode::kRun, dir.path() + "/vm.qmp");
  // A running VM: paused for the save, running again after the failure.
  Json reply = vm.client->command("migrate", {{"uri", "exec:exit 7"}});
  EXPECT_EQ(reply["error"]["class"], "GenericError") << reply;
  EXPECT_EQ(vm.status(), "running");
  EXPECT_EQ(vm.guest.ask("ping"), "pong");
  Json info = vm.client->command("query-migrate")["return"];
  EXPECT_EQ(info["status"], "failed");

  ASSERT_EQ(vm.client->command("stop"), kOk);
  reply = vm.client->command("migrate", {{"uri", "file:" + dir.path() + "/no/such/dir/state"}});
  EXPECT_EQ(reply["error"]["class"], "GenericError") << reply;
  EXPECT_EQ(vm.status(), "paused");
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/no"));
  // Nothing but the RAM file and the socket in the directory: no temporary left behind.
  size_t entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 2U);
}

// -S, whether the machine was made start_paused (and started parked by its owner) or not.
TEST_F(QmpMachine, PrelaunchRunsTheGuestOnlyAtCont) {
  for (bool start_paused : {false, true}) {
    SCOPED_TRACE(start_paused ? "start_paused" : "not started");
    MonitoredVm vm;
    ASSERT_TRUE(create_machine(vm.guest, guest_args({"-m", "64M"}), false, start_paused).ok());
    if (start_paused) {
      ASSERT_TRUE(vm.guest.machine->start().ok());
    }
    vm.serve(qmp::StartMode::kPrelaunch, dir.path() + "/vm.qmp");
    EXPECT_EQ(vm.status(), "prelaunch");
    EXPECT_EQ(vm.client->command("stop"), kOk);  // nothing to stop
    EXPECT_EQ(vm.status(), "prelaunch");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_EQ(vm.guest.console->transcript(), "");
    EXPECT_EQ(vm.client->command("cont"), kOk);
    EXPECT_EQ(vm.client->event()["event"], "RESUME");
    EXPECT_TRUE(vm.guest.wait_ready()) << vm.guest.console->transcript();
    EXPECT_EQ(vm.guest.ask("ping"), "pong");
    EXPECT_EQ(vm.status(), "running");
  }
}

TEST_F(QmpMachine, AStreamThatDoesNotFitIsReportedAndNotRetried) {
  const std::string state = dir.path() + "/state";
  make_template("file:" + state);
  std::ofstream(dir.path() + "/garbage") << "not a state stream";
  MonitoredVm vm;
  ASSERT_TRUE(create_incoming(vm.guest, dir.path()).ok());
  vm.serve(qmp::StartMode::kIncoming, dir.path() + "/clone.qmp");
  // A missing file may be retried (nothing was read), as QEMU lets migrate-incoming be.
  Json reply = vm.client->command("migrate-incoming", {{"uri", "file:" + dir.path() + "/nope"}});
  EXPECT_EQ(reply["error"]["class"], "GenericError");
  EXPECT_EQ(vm.status(), "inmigrate");
  reply = vm.client->command("migrate-incoming", {{"uri", "file:" + dir.path() + "/garbage"}});
  EXPECT_EQ(reply["error"]["class"], "GenericError");
  const std::string desc = reply["error"]["desc"];
  EXPECT_NE(desc.find(dir.path() + "/garbage"), std::string::npos) << desc;
  Json info = vm.client->command("query-migrate")["return"];
  EXPECT_EQ(info["status"], "failed");
  EXPECT_EQ(info["error-desc"], desc);
  EXPECT_EQ(vm.client->command("migrate-incoming", {{"uri", "file:" + state}})["error"]["desc"],
            "The incoming migration has already been started");
  EXPECT_EQ(vm.client->command("cont")["return"], Json::object());  // QEMU: sets autostart
  EXPECT_EQ(vm.status(), "inmigrate");
  // quit ends a VM that never ran.
  EXPECT_EQ(vm.client->command("quit"), kOk);
  EXPECT_EQ(vm.backend->wait().kind, vmm::ExitKind::kQuit);
}

TEST_F(QmpMachine, IncomingUriAtStartupThenContOverQmp) {
  const std::string state = dir.path() + "/state";
  const std::string sum = make_template("file:" + state);
  MonitoredVm vm;
  ASSERT_TRUE(create_incoming(vm.guest, dir.path()).ok());
  vm.backend = std::make_unique<qmp::MachineBackend>(*vm.guest.machine, qmp::StartMode::kIncoming);
  // What `mimeo run -incoming file:...` does before serving QMP.
  auto uri = qmp::parse_incoming_option("file:" + state);
  ASSERT_TRUE(uri.ok() && uri->has_value());
  auto restored = vm.backend->migrate_incoming(**uri);
  ASSERT_TRUE(restored.ok()) << restored.error().describe();
  auto started = qmp::QmpServer::start({dir.path() + "/clone.qmp", false}, *vm.backend);
  ASSERT_TRUE(started.ok());
  vm.server = std::move(started.value());
  vm.client = QmpTestClient::connect(dir.path() + "/clone.qmp");
  ASSERT_TRUE(vm.client && vm.client->message());
  ASSERT_EQ(vm.client->command("qmp_capabilities"), kOk);
  EXPECT_EQ(vm.status(), "paused");
  EXPECT_EQ(vm.client->command("query-migrate")["return"]["status"], "completed");
  EXPECT_EQ(vm.client->command("migrate-incoming", {{"uri", "file:" + state}})["error"]["desc"],
            "The incoming migration has already been started");
  EXPECT_EQ(vm.client->command("cont"), kOk);
  EXPECT_EQ(vm.guest.ask("read 0x3000000"), "0x0000000000005eed");
  EXPECT_EQ(vm.guest.ask("sum"), sum);
}

}  // namespace
}  // namespace mimeo::testing
