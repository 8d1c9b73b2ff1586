// `mimeo serve` end to end through its REST API: templates, warm pools,
// clones and their consoles, the socket's permissions.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <set>
#include <thread>

#include "common/temp_dir.h"
#include "e2e/daemon_support.h"
#include "e2e/line_channel.h"
#include "e2e/template_support.h"
#include "e2e/unix_sockets.h"

namespace mimeo::e2e {
namespace {

using DaemonTest = DaemonFixture;

TEST_F(DaemonTest, SocketIsOwnerOnlyAndASecondDaemonIsRefused) {
  struct stat st {};
  ASSERT_EQ(::stat(socket_.c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  struct stat state {};
  ASSERT_EQ(::stat(state_.c_str(), &state), 0);
  EXPECT_EQ(state.st_mode & 0777, 0700u);

  auto second =
      MimeoProcess::start({"serve", "--socket", socket_, "--state-dir", dir_.path() + "/other"});
  ASSERT_NE(second, nullptr);
  EXPECT_EQ(second->wait_exit(), 1);
  EXPECT_NE(second->stderr_text().find(socket_), std::string::npos) << second->stderr_text();
  EXPECT_EQ(daemon_->call("GET", "/health").status, 200);
}

TEST_F(DaemonTest, TemplateToCloneToConsoleAndBack) {
  auto created = daemon_->create_guest_template("guest", 2);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.body["name"], "guest");
  EXPECT_EQ(created.body["memory_bytes"], 64u << 20);
  ASSERT_TRUE(daemon_->wait_pool("guest", 2));

  auto clone = daemon_->call("POST", "/clones", Json{{"template", "guest"}, {"name", "first"}});
  ASSERT_EQ(clone.status, 201) << clone.body;
  ASSERT_EQ(clone.body["clones"].size(), 1u);
  const Json info = clone.body["clones"][0];
  const std::string id = info["id"];
  EXPECT_EQ(info["state"], "running");
  EXPECT_EQ(info["from_pool"], true);
  EXPECT_EQ(info["name"], "first");
  EXPECT_TRUE(guest_answers(info["console_socket"]));

  auto by_name = daemon_->call("GET", "/clones/first");
  ASSERT_EQ(by_name.status, 200);
  EXPECT_EQ(by_name.body["id"], id);
  auto listed = daemon_->call("GET", "/clones");
  ASSERT_EQ(listed.body["clones"].size(), 1u);

  EXPECT_EQ(daemon_->call("POST", "/clones/" + id + "/pause").body["state"], "paused");
  EXPECT_EQ(daemon_->call("POST", "/clones/" + id + "/resume").body["state"], "running");
  EXPECT_TRUE(guest_answers(info["console_socket"]));

  auto refused = daemon_->call("DELETE", "/templates/guest");
  EXPECT_EQ(refused.status, 409);
  EXPECT_EQ(refused.body["error"]["code"], "conflict");

  const pid_t pid = info["pid"];
  EXPECT_EQ(daemon_->call("DELETE", "/clones/" + id).status, 204);
  EXPECT_FALSE(process_alive(pid));
  EXPECT_EQ(daemon_->call("GET", "/clones/" + id).status, 404);

  EXPECT_EQ(daemon_->call("DELETE", "/templates/guest").status, 204);
  EXPECT_FALSE(std::filesystem::exists(state_ + "/templates/guest"));
  EXPECT_EQ(daemon_->call("GET", "/templates/guest").status, 404);
}

TEST_F(DaemonTest, ABatchTakesThePoolThenStartsTheRest) {
  ASSERT_EQ(daemon_->create_guest_template("guest", 2).status, 201);
  ASSERT_TRUE(daemon_->wait_pool("guest", 2));
  auto batch = daemon_->call("POST", "/clones", Json{{"template", "guest"}, {"count", 5}});
  ASSERT_EQ(batch.status, 201) << batch.body;
  ASSERT_EQ(batch.body["clones"].size(), 5u);
  std::set<std::string> uuids;
  unsigned warm = 0;
  for (const auto& clone : batch.body["clones"]) {
    uuids.insert(clone["uuid"].get<std::string>());
    warm += clone["from_pool"] == true ? 1 : 0;
    EXPECT_TRUE(guest_answers(clone["console_socket"])) << clone;
  }
  EXPECT_EQ(uuids.size(), 5u);
  EXPECT_EQ(warm, 2u);
  for (const auto& clone : batch.body["clones"]) {
    EXPECT_EQ(daemon_->call("DELETE", "/clones/" + clone["id"].get<std::string>()).status, 204);
  }
}

TEST_F(DaemonTest, ACloneThatDiesHurtsNeitherTheDaemonNorOtherClones) {
  // Made locally with the isa-debug-exit device, so that the guest can exit.
  const std::string local = dir_.path() + "/local-template";
  create_template(local);
  ASSERT_EQ(daemon_
                ->call("POST", "/templates/import",
                       Json{{"name", "guest"}, {"dir", local}, {"pool_size", 1}})
                .status,
            201);
  auto batch = daemon_->call("POST", "/clones", Json{{"template", "guest"}, {"count", 3}});
  ASSERT_EQ(batch.status, 201) << batch.body;
  const Json victim = batch.body["clones"][0];
  const Json quitter = batch.body["clones"][1];
  const Json survivor = batch.body["clones"][2];

  ASSERT_EQ(::kill(victim["pid"].get<pid_t>(), SIGKILL), 0);
  // The console stays connected until the guest is gone (input still in the
  // socket when its client hangs up may be dropped).
  LineChannel console(connect_unix(quitter["console_socket"], milliseconds(2000)));
  ASSERT_TRUE(console.send_line("exit 3"));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  Json victim_now;
  Json quitter_now;
  while (std::chrono::steady_clock::now() < deadline) {
    victim_now = daemon_->call("GET", "/clones/" + victim["id"].get<std::string>()).body;
    quitter_now = daemon_->call("GET", "/clones/" + quitter["id"].get<std::string>()).body;
    if (victim_now["state"] != "running" && quitter_now["state"] != "running") {
      break;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_EQ(victim_now["state"], "crashed") << victim_now;
  EXPECT_NE(victim_now["reason"].get<std::string>().find("signal 9"), std::string::npos);
  EXPECT_EQ(quitter_now["state"], "exited") << quitter_now;
  EXPECT_NE(quitter_now["reason"].get<std::string>().find("status 7"), std::string::npos)
      << quitter_now;
  EXPECT_TRUE(guest_answers(survivor["console_socket"]));
  EXPECT_EQ(daemon_->call("GET", "/health").status, 200);
  // The dead are listed until deleted, then forgotten.
  EXPECT_EQ(daemon_->call("GET", "/clones").body["clones"].size(), 3u);
  EXPECT_EQ(daemon_->call("DELETE", "/clones/" + victim["id"].get<std::string>()).status, 204);
  EXPECT_EQ(daemon_->call("DELETE", "/clones/" + quitter["id"].get<std::string>()).status, 204);
}

TEST_F(DaemonTest, ImportedTemplatesAreOnlyForgotten) {
  ASSERT_EQ(daemon_->create_guest_template("made", 0).status, 201);
  const std::string made_dir = state_ + "/templates/made";
  auto imported = daemon_->call("POST", "/templates/import",
                                Json{{"name", "copy"}, {"dir", made_dir}, {"pool_size", 1}});
  ASSERT_EQ(imported.status, 201) << imported.body;
  EXPECT_EQ(imported.body["owned"], false);
  ASSERT_TRUE(daemon_->wait_pool("copy", 1));
  EXPECT_EQ(daemon_->call("DELETE", "/templates/copy").status, 204);
  EXPECT_TRUE(std::filesystem::exists(made_dir + "/template.json"));

  auto missing = daemon_->call("POST", "/templates/import",
                               Json{{"name", "nothing"}, {"dir", dir_.path() + "/nowhere"}});
  EXPECT_EQ(missing.status, 400);
  auto duplicate = daemon_->create_guest_template("made", 0);
  EXPECT_EQ(duplicate.status, 409);
  auto bad_kernel = daemon_->call("POST", "/templates",
                                  Json{{"name", "broken"},
                                       {"kernel", dir_.path() + "/no-such-kernel"},
                                       {"ready", {{"after_seconds", 0}}}});
  EXPECT_EQ(bad_kernel.status, 400) << bad_kernel.body;
  EXPECT_NE(bad_kernel.body["error"]["message"].get<std::string>().find("no-such-kernel"),
            std::string::npos)
      << bad_kernel.body;
  EXPECT_FALSE(std::filesystem::exists(state_ + "/templates/broken"));
  EXPECT_EQ(daemon_->call("GET", "/templates").body["templates"].size(), 1u);
}

}  // namespace
}  // namespace mimeo::e2e
