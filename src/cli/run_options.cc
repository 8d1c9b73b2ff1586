#include "cli/run_options.h"

#include <functional>
#include <map>

namespace mimeo::cli {

namespace {

using Setter = std::function<Status(RunOptions&, const std::string& option, const std::string&)>;

Setter once(std::optional<std::string> RunOptions::*field) {
  return [field](RunOptions& o, const std::string& option, const std::string& value) -> Status {
    if ((o.*field).has_value()) {
      return make_error(option + " given more than once");
    }
    o.*field = value;
    return {};
  };
}

Setter many(std::vector<std::string> RunOptions::*field) {
  return [field](RunOptions& o, const std::string&, const std::string& value) -> Status {
    (o.*field).push_back(value);
    return {};
  };
}

const std::map<std::string, Setter>& options_with_value() {
  static const std::map<std::string, Setter> table = {
      {"m", once(&RunOptions::memory)},          {"smp", once(&RunOptions::smp)},
      {"machine", once(&RunOptions::machine)},   {"M", once(&RunOptions::machine)},
      {"cpu", once(&RunOptions::cpu)},           {"accel", once(&RunOptions::accel)},
      {"object", many(&RunOptions::objects)},    {"numa", many(&RunOptions::numa)},
      {"chardev", many(&RunOptions::chardevs)},  {"device", many(&RunOptions::devices)},
      {"serial", many(&RunOptions::serials)},    {"kernel", once(&RunOptions::kernel)},
      {"append", once(&RunOptions::append)},     {"initrd", once(&RunOptions::initrd)},
      {"display", once(&RunOptions::display)},   {"qmp", once(&RunOptions::qmp)},
      {"incoming", once(&RunOptions::incoming)}, {"name", once(&RunOptions::name)},
      {"uuid", once(&RunOptions::uuid)},
  };
  return table;
}

// Options that QEMU has and mimeo refuses, with the reason.
const std::map<std::string, std::string>& refused_options() {
  static const std::map<std::string, std::string> table = {
      {"mem-path",
       "-mem-path cannot be used for VM templating (it puts RAM in an unlinked temporary file "
       "that neither survives the VM nor can be mapped privately by new VMs); use -object "
       "memory-backend-file,...,share=on for a template and readonly=on,rom=off for VMs "
       "started from it"},
      {"mem-prealloc", "-mem-prealloc is not supported; use prealloc=on on the memory backend"},
  };
  return table;
}

}  // namespace

Result<RunOptions> parse_run_options(const std::vector<std::string>& args) {
  RunOptions o;
  bool enable_kvm = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.size() < 2 || arg[0] != '-') {
      return make_error("unexpected argument '" + arg + "' (options start with -)");
    }
    const std::string name = arg.substr(arg[1] == '-' ? 2 : 1);
    const std::string option = "-" + name;
    if (auto refused = refused_options().find(name); refused != refused_options().end()) {
      return make_error(refused->second);
    }
    if (name == "nographic") {
      o.nographic = true;
      continue;
    }
    if (name == "no-reboot") {
      o.no_reboot = true;
      continue;
    }
    if (name == "S") {
      o.start_paused = true;
      continue;
    }
    if (name == "enable-kvm") {
      enable_kvm = true;  // QEMU's shorthand for -accel kvm; -accel may still be given
      continue;
    }
    auto setter = options_with_value().find(name);
    if (setter == options_with_value().end()) {
      return make_error("unknown option '" + arg + "'");
    }
    if (i + 1 >= args.size()) {
      return make_error(option + " needs a value");
    }
    MIMEO_TRY(setter->second(o, option, args[++i]));
  }
  if (enable_kvm && !o.accel) {
    o.accel = "kvm";
  }
  return o;
}

std::vector<std::string> format_run_options(const RunOptions& o) {
  std::vector<std::string> args;
  auto one = [&](const char* option, const std::optional<std::string>& value) {
    if (value) {
      args.insert(args.end(), {option, *value});
    }
  };
  auto each = [&](const char* option, const std::vector<std::string>& values) {
    for (const auto& value : values) {
      args.insert(args.end(), {option, value});
    }
  };
  one("-m", o.memory);
  one("-smp", o.smp);
  one("-machine", o.machine);
  one("-cpu", o.cpu);
  one("-accel", o.accel);
  each("-object", o.objects);
  each("-numa", o.numa);
  each("-chardev", o.chardevs);
  each("-device", o.devices);
  each("-serial", o.serials);
  one("-kernel", o.kernel);
  one("-append", o.append);
  one("-initrd", o.initrd);
  one("-display", o.display);
  one("-qmp", o.qmp);
  one("-incoming", o.incoming);
  one("-name", o.name);
  one("-uuid", o.uuid);
  if (o.nographic) {
    args.emplace_back("-nographic");
  }
  if (o.no_reboot) {
    args.emplace_back("-no-reboot");
  }
  if (o.start_paused) {
    args.emplace_back("-S");
  }
  return args;
}

}  // namespace mimeo::cli
