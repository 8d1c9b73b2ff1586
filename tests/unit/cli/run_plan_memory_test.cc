// build_run_plan's memory: -m, -object memory-backend-*, -machine memory-backend=
// and -numa, with the templating document's command lines and every error.
#include <gtest/gtest.h>
#include <sys/mman.h>

#include "memory/backend_options.h"
#include "unit/cli/plan_test_util.h"

namespace mimeo::cli {
namespace {

using memory::BackendType;
using memory::OnOffAuto;
using testing::Args;
using testing::plan_error;
using testing::plan_ok;

constexpr uint64_t kMiB = 1ULL << 20;
constexpr uint64_t kGiB = 1ULL << 30;

// ../shared/spec/vm-templating.rst, "Creating a template" and "Starting VMs from
// a template", with mimeo's machine type.
const std::string kTemplateObject =
    "memory-backend-file,id=pc.ram,mem-path=/var/lib/vm/template,size=2g,share=on";
const std::string kCloneObject =
    "memory-backend-file,id=pc.ram,mem-path=/var/lib/vm/template,size=2g,readonly=on,rom=off";
const std::string kMachine = "microvm,memory-backend=pc.ram";

TEST(RunPlanMemory, DefaultIs128MiBOfAnonymousRamNamedPcRam) {
  RunPlan plan = plan_ok({});
  ASSERT_EQ(plan.machine.memory.size(), 1U);
  const auto& ram = plan.machine.memory[0];
  EXPECT_EQ(ram.type(), BackendType::kRam);
  EXPECT_EQ(ram.id(), "pc.ram");
  EXPECT_EQ(ram.size(), 128 * kMiB);
  EXPECT_FALSE(ram.share());
  EXPECT_TRUE(plan.notes.empty());
}

TEST(RunPlanMemory, DashMSizesTheImplicitRam) {
  EXPECT_EQ(plan_ok({"-m", "64"}).machine.memory.at(0).size(), 64 * kMiB);
  EXPECT_EQ(plan_ok({"-m", "1G"}).machine.memory.at(0).size(), kGiB);
  EXPECT_EQ(plan_ok({"-m", "size=256M"}).machine.memory.at(0).size(), 256 * kMiB);
  EXPECT_EQ(plan_ok({"-m", "0"}).machine.memory.at(0).size(), 128 * kMiB);  // as QEMU
}

TEST(RunPlanMemory, HotplugOptionsAreAcceptedWithANote) {
  RunPlan plan = plan_ok({"-m", "64M,slots=2,maxmem=1G"});
  EXPECT_EQ(plan.machine.memory.at(0).size(), 64 * kMiB);
  EXPECT_EQ(plan.notes, (std::vector<std::string>{
                            "-m: slots=2,maxmem=0x40000000 accepted, but mimeo does not support "
                            "memory hotplug: the guest has 0x4000000 bytes of RAM"}));
}

TEST(RunPlanMemory, BadDashMNamesTheValue) {
  EXPECT_EQ(plan_error({"-m", "64Q"}),
            "-m 64Q: Parameter 'size' expects a non-negative number below 2^64 with an optional "
            "suffix k, M, G, T, P or E");
  EXPECT_EQ(plan_error({"-m", "64M,foo=1"}), "-m 64M,foo=1: Invalid parameter 'foo'");
  EXPECT_EQ(plan_error({"-m", "64M,slots=2"}), "-m 64M,slots=2: slots specified but no max-size");
}

TEST(RunPlanMemory, TemplateCommandLine) {
  RunPlan plan = plan_ok({"-object", kTemplateObject, "-machine", kMachine});
  ASSERT_EQ(plan.machine.memory.size(), 1U);
  const auto& ram = plan.machine.memory[0];
  EXPECT_EQ(ram.type(), BackendType::kFile);
  EXPECT_EQ(ram.id(), "pc.ram");
  EXPECT_EQ(ram.mem_path(), "/var/lib/vm/template");
  EXPECT_EQ(ram.size(), 2 * kGiB);
  EXPECT_TRUE(ram.share());
  EXPECT_FALSE(ram.readonly());
  EXPECT_FALSE(ram.guest_readonly());
  EXPECT_EQ(ram.mmap_flags() & MAP_SHARED, MAP_SHARED);
  EXPECT_TRUE(plan.notes.empty());
}

TEST(RunPlanMemory, CloneCommandLineIsAPrivateWritableMappingOfAReadOnlyFile) {
  RunPlan plan = plan_ok({"-object", kCloneObject, "-machine", kMachine});
  ASSERT_EQ(plan.machine.memory.size(), 1U);
  const auto& ram = plan.machine.memory[0];
  EXPECT_EQ(ram.type(), BackendType::kFile);
  EXPECT_FALSE(ram.share());  // implicit, as the document says
  EXPECT_TRUE(ram.readonly());
  EXPECT_EQ(ram.rom(), OnOffAuto::kOff);
  EXPECT_FALSE(ram.guest_readonly());
  EXPECT_EQ(ram.mmap_prot(), PROT_READ | PROT_WRITE);
  EXPECT_EQ(ram.mmap_flags() & MAP_PRIVATE, MAP_PRIVATE);
}

TEST(RunPlanMemory, DashMMayRepeatTheBackendSize) {
  EXPECT_EQ(plan_ok({"-m", "2G", "-object", kTemplateObject, "-machine", kMachine})
                .machine.memory.at(0)
                .size(),
            2 * kGiB);
  EXPECT_EQ(
      plan_ok({"-m", "2048", "-object", kCloneObject, "-machine", kMachine}).machine.memory.size(),
      1U);
}

TEST(RunPlanMemory, DashMOtherThanTheBackendsTotalIsRefused) {
  EXPECT_EQ(plan_error({"-m", "1G", "-object", kTemplateObject, "-machine", kMachine}),
            "-m 1G: machine memory size (0x40000000) does not match the total size of its "
            "memory backends (0x80000000)");
  EXPECT_EQ(plan_error({"-m", "64M", "-object", "memory-backend-ram,id=m0,size=64M", "-object",
                        "memory-backend-ram,id=m1,size=64M", "-numa", "node,memdev=m0", "-numa",
                        "node,memdev=m1"}),
            "-m 64M: machine memory size (0x4000000) does not match the total size of its "
            "memory backends (0x8000000)");
}

TEST(RunPlanMemory, NumaNodesGetTheirBackendsInNodeOrder) {
  RunPlan plan =
      plan_ok({"-m", "224M", "-object", "memory-backend-ram,id=m0,size=64M", "-object",
               "memory-backend-memfd,id=m1,size=32M", "-object",
               "memory-backend-file,id=m2,size=128M,mem-path=/tmp/m2,share=on", "-numa",
               "node,memdev=m0", "-numa", "node,nodeid=1,memdev=m1", "-numa", "node,memdev=m2"});
  ASSERT_EQ(plan.machine.memory.size(), 3U);
  EXPECT_EQ(plan.machine.memory[0].id(), "m0");
  EXPECT_EQ(plan.machine.memory[0].type(), BackendType::kRam);
  EXPECT_EQ(plan.machine.memory[1].id(), "m1");
  EXPECT_EQ(plan.machine.memory[1].type(), BackendType::kMemfd);
  EXPECT_EQ(plan.machine.memory[2].id(), "m2");
  EXPECT_EQ(plan.machine.memory[2].size(), 128 * kMiB);
}

TEST(RunPlanMemory, MachineBackendIsBootRamBeforeTheNumaNodes) {
  RunPlan plan = plan_ok({"-object", "memory-backend-ram,id=m1,size=32M", "-object",
                          "memory-backend-ram,id=boot,size=64M", "-machine",
                          "microvm,memory-backend=boot", "-numa", "node,memdev=m1"});
  ASSERT_EQ(plan.machine.memory.size(), 2U);
  EXPECT_EQ(plan.machine.memory[0].id(), "boot");
  EXPECT_EQ(plan.machine.memory[1].id(), "m1");
}

TEST(RunPlanMemory, NodeZeroMayNameTheMachineBackend) {
  RunPlan plan =
      plan_ok({"-object", "memory-backend-ram,id=m0,size=64M", "-object",
               "memory-backend-ram,id=m1,size=32M", "-machine", "microvm,memory-backend=m0",
               "-numa", "node,memdev=m0", "-numa", "node,memdev=m1"});
  ASSERT_EQ(plan.machine.memory.size(), 2U);
  EXPECT_EQ(plan.machine.memory[0].id(), "m0");
  EXPECT_EQ(plan.machine.memory[1].id(), "m1");
}

TEST(RunPlanMemory, UnusedBackendGetsANote) {
  RunPlan plan = plan_ok({"-object", "memory-backend-ram,id=spare,size=64M", "-m", "32"});
  ASSERT_EQ(plan.machine.memory.size(), 1U);
  EXPECT_EQ(plan.machine.memory[0].id(), "pc.ram");
  EXPECT_EQ(plan.machine.memory[0].size(), 32 * kMiB);
  EXPECT_EQ(plan.notes, (std::vector<std::string>{
                            "memory backend 'spare' is used by neither -machine memory-backend= "
                            "nor -numa memdev=; it is not created"}));
}

TEST(RunPlanMemory, UndefinedBackendNamesTheOptionThatUsesIt) {
  EXPECT_EQ(plan_error({"-machine", "microvm,memory-backend=nope"}),
            "-machine microvm,memory-backend=nope: memory backend 'nope' is not defined (no "
            "-object with id=nope)");
  EXPECT_EQ(plan_error({"-object", "memory-backend-ram,id=m0,size=64M", "-numa", "node,memdev=m0",
                        "-numa", "node,memdev=m1"}),
            "-numa node,memdev=m1: memory backend 'm1' is not defined (no -object with id=m1)");
}

TEST(RunPlanMemory, NumaNodeWithoutMemdevIsRefused) {
  EXPECT_EQ(plan_error({"-numa", "node"}),
            "-numa node: memdev= is required (mimeo has no NUMA node without its own memory "
            "backend)");
  EXPECT_EQ(plan_error({"-numa", "node,nodeid=0"}),
            "-numa node,nodeid=0: memdev= is required (mimeo has no NUMA node without its own "
            "memory backend)");
}

TEST(RunPlanMemory, BackendUsedTwiceIsRefused) {
  EXPECT_EQ(plan_error({"-object", "memory-backend-ram,id=m0,size=64M", "-numa", "node,memdev=m0",
                        "-numa", "node,memdev=m0"}),
            "-numa node,memdev=m0: memory backend 'm0' is used more than once");
  // The machine's backend may be node 0 only.
  EXPECT_EQ(
      plan_error({"-object", "memory-backend-ram,id=m0,size=64M", "-object",
                  "memory-backend-ram,id=m1,size=64M", "-machine", "microvm,memory-backend=m0",
                  "-numa", "node,memdev=m1", "-numa", "node,memdev=m0"}),
      "-numa node,memdev=m0: memory backend 'm0' is used more than once");
}

TEST(RunPlanMemory, NumaOtherThanNodeIsRefused) {
  EXPECT_EQ(plan_error({"-numa", "dist,src=0,dst=1,val=20"}),
            "-numa dist,src=0,dst=1,val=20: only 'node' is supported");
  EXPECT_EQ(plan_error({"-numa", "cpu,node-id=0"}),
            "-numa cpu,node-id=0: only 'node' is supported");
  EXPECT_EQ(plan_error({"-numa", "node,memdev=m0,cpus=0-1"}),
            "-numa node,memdev=m0,cpus=0-1: unknown parameter 'cpus'");
}

TEST(RunPlanMemory, ObjectTypesOtherThanMemoryBackendsAreRefused) {
  EXPECT_EQ(plan_error({"-object", "iothread,id=io0"}),
            "-object iothread,id=io0: object type 'iothread' is not supported (mimeo has "
            "memory-backend-ram, memory-backend-file and memory-backend-memfd)");
  EXPECT_EQ(plan_error({"-object", "rng-random,id=rng0,filename=/dev/urandom"}),
            "-object rng-random,id=rng0,filename=/dev/urandom: object type 'rng-random' is not "
            "supported (mimeo has memory-backend-ram, memory-backend-file and "
            "memory-backend-memfd)");
  EXPECT_EQ(plan_error({"-object", "memory-backend-epc,id=e,size=1M"}),
            "-object memory-backend-epc,id=e,size=1M: invalid object type: memory-backend-epc");
  EXPECT_EQ(plan_error({"-object", "id=x"}),
            "-object id=x: object type '' is not supported (mimeo has memory-backend-ram, "
            "memory-backend-file and memory-backend-memfd)");
}

TEST(RunPlanMemory, DuplicateObjectIdIsRefused) {
  EXPECT_EQ(plan_error({"-object", "memory-backend-ram,id=m0,size=64M", "-object",
                        "memory-backend-memfd,id=m0,size=32M"}),
            "-object memory-backend-memfd,id=m0,size=32M: id 'm0' is already used by an earlier "
            "-object");
}

TEST(RunPlanMemory, BackendErrorsNameTheWholeObject) {
  EXPECT_EQ(plan_error({"-object", "memory-backend-ram,id=pc.ram,size=64X"}),
            "-object memory-backend-ram,id=pc.ram,size=64X: Parameter 'size' expects size");
  EXPECT_EQ(plan_error({"-object", "memory-backend-file,id=pc.ram,size=64M"}),
            "-object memory-backend-file,id=pc.ram,size=64M: mem-path property not set");
  EXPECT_EQ(plan_error({"-object", "memory-backend-ram,id=r,size=64M,rom=on"}),
            "-object memory-backend-ram,id=r,size=64M,rom=on: Property "
            "'memory-backend-ram.rom' not found");
  EXPECT_EQ(plan_error({"-object", "memory-backend-ram,size=64M"}),
            "-object memory-backend-ram: Parameter 'id' is missing");
  EXPECT_EQ(plan_error({"-object",
                        "memory-backend-file,id=t,mem-path=/t,size=64M,share=on,"
                        "readonly=on,rom=off"}),
            "-object memory-backend-file,id=t,mem-path=/t,size=64M,share=on,readonly=on,rom=off: "
            "property 'rom' = 'off' is incompatible with 'readonly' = 'on' and 'share' = 'on'");
  EXPECT_EQ(plan_error({"-object", ",id=x"}), "-object ,id=x: missing qom-type");
  EXPECT_EQ(plan_error({"-object", ""}), "-object: empty option value");
}

}  // namespace
}  // namespace mimeo::cli
