// The QEMU-style command line of `mimeo run` (and of the VM part of other
// commands), read into plain strings first; build_machine_config() then gives
// each value its meaning and checks it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"

namespace mimeo::cli {

struct RunOptions {
  std::optional<std::string> memory;    // -m
  std::optional<std::string> smp;       // -smp
  std::optional<std::string> machine;   // -machine / -M
  std::optional<std::string> cpu;       // -cpu
  std::optional<std::string> accel;     // -accel / -enable-kvm
  std::vector<std::string> objects;     // -object
  std::vector<std::string> numa;        // -numa
  std::vector<std::string> chardevs;    // -chardev
  std::vector<std::string> devices;     // -device
  std::vector<std::string> serials;     // -serial
  std::optional<std::string> kernel;    // -kernel
  std::optional<std::string> append;    // -append
  std::optional<std::string> initrd;    // -initrd
  std::optional<std::string> display;   // -display
  std::optional<std::string> qmp;       // -qmp
  std::optional<std::string> incoming;  // -incoming
  std::optional<std::string> name;      // -name
  std::optional<std::string> uuid;      // -uuid
  bool nographic = false;               // -nographic
  bool no_reboot = false;               // -no-reboot
  bool start_paused = false;            // -S
};

// Reads QEMU-style options (`-opt value` or `--opt value`, flags without a
// value). Unknown options, a missing value, an option that may appear only
// once given twice, and the options mimeo refuses (-mem-path) fail with one
// line naming the option.
[[nodiscard]] Result<RunOptions> parse_run_options(const std::vector<std::string>& args);

// The options as command-line arguments again (parse_run_options' inverse).
[[nodiscard]] std::vector<std::string> format_run_options(const RunOptions& options);

}  // namespace mimeo::cli
