#include "cli/daemon_commands.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/run_options.h"

namespace mimeo::cli {

namespace {

using Json = nlohmann::json;

// The answer's JSON, or nullopt after printing the daemon's error.
std::optional<Json> call(const daemon::Client& client, const char* command, std::string_view method,
                         const std::string& path, std::optional<std::string> body = std::nullopt) {
  auto response = client.request(method, path, std::move(body));
  if (!response.ok()) {
    std::fprintf(stderr, "mimeo %s: %s\n", command, response.error().describe().c_str());
    return std::nullopt;
  }
  Json json = response->body.empty() ? Json::object() : Json::parse(response->body, nullptr, false);
  if (response->status >= 300 || response->status < 200) {
    std::string message = json.is_object() && json.contains("error") && json["error"].is_object() &&
                                  json["error"].contains("message")
                              ? json["error"]["message"].get<std::string>()
                              : fmt::format("HTTP status {}", response->status);
    std::fprintf(stderr, "mimeo %s: %s\n", command, message.c_str());
    return std::nullopt;
  }
  if (json.is_discarded()) {
    std::fprintf(stderr, "mimeo %s: the daemon's answer is not JSON\n", command);
    return std::nullopt;
  }
  return json;
}

std::string text_of(const Json& value) {
  if (value.is_string()) {
    return value.get<std::string>();
  }
  if (value.is_null()) {
    return "-";
  }
  return value.dump();
}

std::string mib(const Json& bytes) {
  return bytes.is_number() ? fmt::format("{}M", bytes.get<uint64_t>() >> 20) : "-";
}

}  // namespace

bool use_daemon_for(const std::string& arg, const std::string& socket, bool local_template_wins) {
  if (arg.find('/') != std::string::npos) {
    return false;
  }
  struct stat st {};
  if (local_template_wins && ::stat((arg + "/template.json").c_str(), &st) == 0) {
    return false;
  }
  return daemon::daemon_listening(socket);
}

int daemon_ps(const daemon::Client& client, bool quiet) {
  auto json = call(client, "ps", "GET", "/clones");
  if (!json) {
    return 1;
  }
  if (!quiet) {
    std::printf("%-12s  %-16s  %-16s  %-8s  %-8s  %s\n", "ID", "NAME", "TEMPLATE", "STATE", "PID",
                "STARTED IN");
  }
  for (const auto& clone : (*json)["clones"]) {
    if (quiet) {
      std::printf("%s\n", text_of(clone["id"]).c_str());
      continue;
    }
    std::printf("%-12s  %-16s  %-16s  %-8s  %-8s  %.2f ms%s\n", text_of(clone["id"]).c_str(),
                text_of(clone["name"]).c_str(), text_of(clone["template"]).c_str(),
                text_of(clone["state"]).c_str(), text_of(clone["pid"]).c_str(),
                clone["create_ms"].is_number() ? clone["create_ms"].get<double>() : 0.0,
                clone["from_pool"] == true ? " (warm)" : "");
  }
  return 0;
}

int daemon_rm(const daemon::Client& client, const std::vector<std::string>& refs) {
  int status = 0;
  for (const auto& ref : refs) {
    if (call(client, "rm", "DELETE", "/clones/" + daemon::percent_encode(ref))) {
      std::printf("%s\n", ref.c_str());
    } else {
      status = 1;
    }
  }
  return status;
}

int daemon_pause_resume(const daemon::Client& client, const std::vector<std::string>& refs,
                        bool pause) {
  int status = 0;
  for (const auto& ref : refs) {
    auto json = call(client, pause ? "pause" : "resume", "POST",
                     "/clones/" + daemon::percent_encode(ref) + (pause ? "/pause" : "/resume"));
    if (json) {
      std::printf("%s %s\n", text_of((*json)["id"]).c_str(), text_of((*json)["state"]).c_str());
    } else {
      status = 1;
    }
  }
  return status;
}

int daemon_clone(const daemon::Client& client, const std::string& template_name, unsigned count,
                 const std::optional<std::string>& name) {
  Json body = {{"template", template_name}, {"count", count}};
  if (name) {
    body["name"] = *name;
  }
  auto response = client.request("POST", "/clones", body.dump());
  if (!response.ok()) {
    std::fprintf(stderr, "mimeo clone: %s\n", response.error().describe().c_str());
    return 1;
  }
  Json json = Json::parse(response->body, nullptr, false);
  if (json.is_discarded() || !json.is_object()) {
    std::fprintf(stderr, "mimeo clone: the daemon's answer is not JSON (HTTP %d)\n",
                 response->status);
    return 1;
  }
  if (json.contains("error")) {
    std::fprintf(stderr, "mimeo clone: %s\n", text_of(json["error"]["message"]).c_str());
    return 1;
  }
  for (const auto& clone : json["clones"]) {
    std::printf("%s\n", text_of(clone["id"]).c_str());
  }
  for (const auto& failure : json["errors"]) {
    std::fprintf(stderr, "mimeo clone: clone %s of %u: %s\n", text_of(failure["index"]).c_str(),
                 count, text_of(failure["error"]["message"]).c_str());
  }
  return response->status == 201 ? 0 : 1;
}

int daemon_template_ls(const daemon::Client& client) {
  auto json = call(client, "template ls", "GET", "/templates");
  if (!json) {
    return 1;
  }
  std::printf("%-20s  %-7s  %-9s  %-8s  %s\n", "NAME", "CLONES", "WARM/POOL", "MEMORY", "DIR");
  for (const auto& t : (*json)["templates"]) {
    std::printf("%-20s  %-7s  %-9s  %-8s  %s\n", text_of(t["name"]).c_str(),
                text_of(t["clones"]).c_str(),
                fmt::format("{}/{}", text_of(t["pool_warm"]), text_of(t["pool_size"])).c_str(),
                mib(t["memory_bytes"]).c_str(), text_of(t["dir"]).c_str());
  }
  return 0;
}

int daemon_template_inspect(const daemon::Client& client, const std::string& name) {
  auto json = call(client, "template inspect", "GET", "/templates/" + daemon::percent_encode(name));
  if (!json) {
    return 1;
  }
  std::printf("%s\n", json->dump(2).c_str());
  return 0;
}

int daemon_template_rm(const daemon::Client& client, const std::vector<std::string>& names) {
  int status = 0;
  for (const auto& name : names) {
    if (call(client, "template rm", "DELETE", "/templates/" + daemon::percent_encode(name))) {
      std::printf("%s\n", name.c_str());
    } else {
      status = 1;
    }
  }
  return status;
}

int daemon_template_import(const daemon::Client& client, const std::string& dir,
                           const std::string& name, std::optional<unsigned> pool_size) {
  Json body = {{"name", name}, {"dir", dir}};
  if (pool_size) {
    body["pool_size"] = *pool_size;
  }
  auto json = call(client, "template import", "POST", "/templates/import", body.dump());
  if (!json) {
    return 1;
  }
  std::printf("%s\n", text_of((*json)["name"]).c_str());
  return 0;
}

int daemon_template_pool(const daemon::Client& client, const std::string& name, unsigned size) {
  Json body = {{"size", size}};
  auto json = call(client, "template pool", "PUT",
                   "/templates/" + daemon::percent_encode(name) + "/pool", body.dump());
  if (!json) {
    return 1;
  }
  std::printf("%s pool %s\n", name.c_str(), text_of((*json)["pool_size"]).c_str());
  return 0;
}

int daemon_template_create(const daemon::Client& client, const DaemonTemplateCreate& options) {
  auto run = parse_run_options(options.run_options);
  if (!run.ok()) {
    std::fprintf(stderr, "mimeo template create: %s\n", run.error().describe().c_str());
    return 1;
  }
  if (!run->objects.empty() || !run->numa.empty() || !run->devices.empty() || run->machine ||
      run->cpu || !run->serials.empty() || !run->chardevs.empty() || run->qmp || run->incoming) {
    std::fprintf(stderr,
                 "mimeo template create: the daemon's templates take only -kernel, -initrd, "
                 "-append, -m and -smp (use a directory path to make other templates locally, "
                 "then `mimeo template import`)\n");
    return 1;
  }
  if (!run->kernel) {
    std::fprintf(stderr, "mimeo template create: -kernel is required\n");
    return 1;
  }
  Json body = {
      {"name", options.name}, {"kernel", *run->kernel}, {"timeout_seconds", options.timeout}};
  if (run->memory) {
    body["memory"] = *run->memory;
  }
  if (run->smp) {
    unsigned cpus = 0;
    if (std::sscanf(run->smp->c_str(), "%u", &cpus) != 1) {
      std::fprintf(stderr, "mimeo template create: -smp takes a CPU count here\n");
      return 1;
    }
    body["cpus"] = cpus;
  }
  if (run->append) {
    body["cmdline"] = *run->append;
  }
  if (run->initrd) {
    body["initrd"] = *run->initrd;
  }
  if (options.ready_on_serial) {
    body["ready"] = {{"serial", *options.ready_on_serial}};
  } else {
    body["ready"] = {{"after_seconds", options.ready_after.value_or(0)}};
  }
  if (options.pool_size) {
    body["pool_size"] = *options.pool_size;
  }
  auto json = call(client, "template create", "POST", "/templates", body.dump());
  if (!json) {
    return 1;
  }
  std::printf("%s\n", text_of((*json)["name"]).c_str());
  return 0;
}

}  // namespace mimeo::cli
