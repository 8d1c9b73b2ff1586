// parse_run_options: QEMU's option syntax read into strings, and every error a
// user can cause at that stage, with its exact one-line message.
#include "cli/run_options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace mimeo::cli {
namespace {

using Args = std::vector<std::string>;

RunOptions parse_ok(const Args& args) {
  auto parsed = parse_run_options(args);
  EXPECT_TRUE(parsed.ok()) << parsed.error().describe();
  return parsed.ok() ? *parsed : RunOptions{};
}

std::string parse_error(const Args& args) {
  auto parsed = parse_run_options(args);
  return parsed.ok() ? "(no error)" : parsed.error().describe();
}

TEST(RunOptions, NoArgumentsGiveNothingSet) {
  RunOptions o = parse_ok({});
  EXPECT_FALSE(o.memory);
  EXPECT_FALSE(o.smp);
  EXPECT_FALSE(o.machine);
  EXPECT_FALSE(o.cpu);
  EXPECT_FALSE(o.accel);
  EXPECT_FALSE(o.kernel);
  EXPECT_FALSE(o.append);
  EXPECT_FALSE(o.initrd);
  EXPECT_FALSE(o.display);
  EXPECT_FALSE(o.qmp);
  EXPECT_FALSE(o.incoming);
  EXPECT_FALSE(o.name);
  EXPECT_TRUE(o.objects.empty());
  EXPECT_TRUE(o.numa.empty());
  EXPECT_TRUE(o.chardevs.empty());
  EXPECT_TRUE(o.devices.empty());
  EXPECT_TRUE(o.serials.empty());
  EXPECT_FALSE(o.nographic);
  EXPECT_FALSE(o.no_reboot);
  EXPECT_FALSE(o.start_paused);
}

TEST(RunOptions, EveryOptionWithAValueIsStoredAsGiven) {
  RunOptions o = parse_ok(
      {"-m",      "64M",    "-smp",     "2",       "-machine", "microvm", "-cpu",
       "host",    "-accel", "kvm",      "-kernel", "k",        "-append", "console=ttyS0 x=1",
       "-initrd", "i",      "-display", "none",    "-qmp",     "unix:q",  "-incoming",
       "defer",   "-name",  "vm1"});
  EXPECT_EQ(o.memory, "64M");
  EXPECT_EQ(o.smp, "2");
  EXPECT_EQ(o.machine, "microvm");
  EXPECT_EQ(o.cpu, "host");
  EXPECT_EQ(o.accel, "kvm");
  EXPECT_EQ(o.kernel, "k");
  EXPECT_EQ(o.append, "console=ttyS0 x=1");
  EXPECT_EQ(o.initrd, "i");
  EXPECT_EQ(o.display, "none");
  EXPECT_EQ(o.qmp, "unix:q");
  EXPECT_EQ(o.incoming, "defer");
  EXPECT_EQ(o.name, "vm1");
}

TEST(RunOptions, RepeatableOptionsKeepTheirOrder) {
  RunOptions o = parse_ok({"-object",  "a",  "-numa",    "n0", "-object", "b",  "-numa",   "n1",
                           "-chardev", "c0", "-chardev", "c1", "-device", "d0", "-device", "d1",
                           "-serial",  "s0", "-serial",  "s1"});
  EXPECT_EQ(o.objects, (Args{"a", "b"}));
  EXPECT_EQ(o.numa, (Args{"n0", "n1"}));
  EXPECT_EQ(o.chardevs, (Args{"c0", "c1"}));
  EXPECT_EQ(o.devices, (Args{"d0", "d1"}));
  // Two -serial are read here; build_run_plan refuses the second.
  EXPECT_EQ(o.serials, (Args{"s0", "s1"}));
}

TEST(RunOptions, FlagsTakeNoValue) {
  RunOptions o = parse_ok({"-nographic", "-no-reboot", "-S", "-m", "64"});
  EXPECT_TRUE(o.nographic);
  EXPECT_TRUE(o.no_reboot);
  EXPECT_TRUE(o.start_paused);
  EXPECT_EQ(o.memory, "64");
}

TEST(RunOptions, DoubleDashSpellingIsTheSameOption) {
  RunOptions o = parse_ok({"--m", "64", "--kernel", "k", "--nographic"});
  EXPECT_EQ(o.memory, "64");
  EXPECT_EQ(o.kernel, "k");
  EXPECT_TRUE(o.nographic);
  EXPECT_EQ(parse_error({"-kernel", "a", "--kernel", "b"}), "-kernel given more than once");
}

TEST(RunOptions, CapitalMIsMachine) {
  EXPECT_EQ(parse_ok({"-M", "microvm"}).machine, "microvm");
  EXPECT_EQ(parse_error({"-M", "microvm", "-machine", "microvm"}), "-machine given more than once");
}

TEST(RunOptions, EnableKvmIsAccelKvm) {
  EXPECT_EQ(parse_ok({"-enable-kvm"}).accel, "kvm");
  // Both spellings together, in either order, are not a repetition.
  EXPECT_EQ(parse_ok({"-enable-kvm", "-accel", "kvm"}).accel, "kvm");
  EXPECT_EQ(parse_ok({"-accel", "kvm", "-enable-kvm"}).accel, "kvm");
  // An explicit -accel wins, so build_run_plan can name it.
  EXPECT_EQ(parse_ok({"-enable-kvm", "-accel", "tcg"}).accel, "tcg");
}

TEST(RunOptions, ValuesStartingWithADashAreValues) {
  EXPECT_EQ(parse_ok({"-append", "-v"}).append, "-v");
}

TEST(RunOptions, UnknownOptionIsNamed) {
  EXPECT_EQ(parse_error({"-bogus"}), "unknown option '-bogus'");
  EXPECT_EQ(parse_error({"--bogus", "x"}), "unknown option '--bogus'");
  EXPECT_EQ(parse_error({"-kernel", "k", "-hda", "disk.img"}), "unknown option '-hda'");
  EXPECT_EQ(parse_error({"--"}), "unknown option '--'");
}

TEST(RunOptions, ArgumentThatIsNotAnOptionIsNamed) {
  EXPECT_EQ(parse_error({"disk.img"}), "unexpected argument 'disk.img' (options start with -)");
  EXPECT_EQ(parse_error({"-m", "64", "64"}), "unexpected argument '64' (options start with -)");
  EXPECT_EQ(parse_error({"-"}), "unexpected argument '-' (options start with -)");
}

TEST(RunOptions, MissingValueNamesTheOption) {
  for (const std::string option :
       {"m", "smp", "machine", "M", "cpu", "accel", "object", "numa", "chardev", "device", "serial",
        "kernel", "append", "initrd", "display", "qmp", "incoming", "name", "uuid"}) {
    EXPECT_EQ(parse_error({"-" + option}), "-" + option + " needs a value");
  }
  EXPECT_EQ(parse_error({"-nographic", "--kernel"}), "-kernel needs a value");
}

TEST(RunOptions, OptionsGivenOnceRefuseASecondTime) {
  for (const std::string option : {"m", "smp", "machine", "cpu", "accel", "kernel", "append",
                                   "initrd", "display", "qmp", "incoming", "name", "uuid"}) {
    EXPECT_EQ(parse_error({"-" + option, "a", "-" + option, "a"}),
              "-" + option + " given more than once");
  }
}

TEST(RunOptions, MemPathIsRefusedWithTheTemplatingReason) {
  const std::string reason =
      "-mem-path cannot be used for VM templating (it puts RAM in an unlinked temporary file "
      "that neither survives the VM nor can be mapped privately by new VMs); use -object "
      "memory-backend-file,...,share=on for a template and readonly=on,rom=off for VMs "
      "started from it";
  EXPECT_EQ(parse_error({"-mem-path", "/dev/hugepages"}), reason);
  EXPECT_EQ(parse_error({"-m", "64", "--mem-path", "/tmp"}), reason);
}

TEST(RunOptions, MemPreallocIsRefusedWithTheBackendOption) {
  EXPECT_EQ(parse_error({"-mem-prealloc"}),
            "-mem-prealloc is not supported; use prealloc=on on the memory backend");
}

}  // namespace
}  // namespace mimeo::cli
