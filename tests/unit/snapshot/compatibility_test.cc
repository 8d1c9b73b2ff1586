#include "snapshot/compatibility.h"

#include <gtest/gtest.h>

#include "unit/snapshot/sample_stream.h"

namespace mimeo::snapshot {
namespace {

using testing::make_sample;

std::string host_error(const HostFacts& saved, const HostFacts& here) {
  auto status = check_compatible(saved, here);
  return status.ok() ? "(compatible)" : status.error().message;
}

std::string layout_error(const MemoryLayout& saved, const MemoryLayout& configured) {
  auto status = check_layout(saved, configured);
  return status.ok() ? "(compatible)" : status.error().message;
}

TEST(CheckCompatible, SameHostIsCompatible) {
  auto host = make_sample().stream.host;
  EXPECT_TRUE(check_compatible(host, host).ok());
}

TEST(CheckCompatible, NamesTheCpuVendors) {
  auto saved = make_sample().stream.host;
  auto here = saved;
  here.cpu_vendor = "AuthenticAMD";
  EXPECT_EQ(host_error(saved, here),
            "state stream was saved on a GenuineIntel CPU, this host is AuthenticAMD");
}

TEST(CheckCompatible, TscFrequencyWithinKvmToleranceOnly) {
  auto saved = make_sample().stream.host;  // 2500000 kHz: 250 ppm is 625 kHz
  auto here = saved;
  here.tsc_khz = 2'500'625;
  EXPECT_TRUE(check_compatible(saved, here).ok());
  here.tsc_khz = 2'400'000;
  EXPECT_EQ(host_error(saved, here),
            "state stream was saved with a TSC frequency of 2500000 kHz, this host's is 2400000 "
            "kHz");
}

TEST(CheckCompatible, NamesTheCpuidLeafAndRegister) {
  auto saved = make_sample().stream.host;
  auto here = saved;
  here.cpuid[2].ebx ^= 1u << 5;
  EXPECT_EQ(host_error(saved, here),
            "CPUID leaf 0x7 ebx differs: saved 0xf2bf27ab, here 0xf2bf278b");

  here = saved;
  here.cpuid.pop_back();
  EXPECT_EQ(host_error(saved, here), "CPUID leaf 0x7 was in the saved CPUID but is missing here");

  here = saved;
  here.cpuid.push_back({0xd, 1, 1, 0xf, 0, 0, 0});
  EXPECT_EQ(host_error(saved, here),
            "CPUID leaf 0xd subleaf 1 exists here but not in the saved CPUID");
}

TEST(CheckCompatible, KvmCapabilities) {
  auto saved = make_sample().stream.host;
  auto here = saved;
  here.kvm_capabilities.pop_back();
  EXPECT_EQ(host_error(saved, here), "KVM capability 37: saved value 1, here 0");
  here = saved;
  here.kvm_capabilities.push_back({99, 4});  // more capabilities here are fine
  EXPECT_TRUE(check_compatible(saved, here).ok());
}

TEST(CheckLayout, NamesTheBackendAndWhatDiffers) {
  auto saved = make_sample().stream.layout;
  EXPECT_TRUE(check_layout(saved, saved).ok());

  auto configured = saved;
  saved.backends[0].size = 256 << 20;
  configured.backends[0].size = 128 << 20;
  EXPECT_EQ(layout_error(saved, configured),
            "memory backend 'pc.ram': saved size 256 MiB, configured 128 MiB");

  saved = make_sample().stream.layout;
  configured = saved;
  configured.backends[1].gpa = 8ULL << 30;
  EXPECT_EQ(layout_error(saved, configured),
            "memory backend 'mem1': saved at guest-physical 0x100000000, configured at "
            "0x200000000");

  configured = saved;
  configured.backends[1].storage = RamStorage::kInStream;
  EXPECT_EQ(layout_error(saved, configured),
            "memory backend 'mem1': saved as a shared file, configured as stored in the state "
            "stream");

  configured = saved;
  configured.backends.pop_back();
  EXPECT_EQ(layout_error(saved, configured),
            "memory backend 'mem1' is in the state stream but not configured");

  configured = saved;
  configured.backends.push_back({"mem2", 16ULL << 30, 4096, RamStorage::kInStream, "", {}});
  EXPECT_EQ(layout_error(saved, configured),
            "memory backend 'mem2' is configured but not in the state stream");
}

TEST(CheckLayout, AMovedSharedFileIsTheSameLayout) {
  auto saved = make_sample().stream.layout;
  auto configured = saved;
  configured.backends[1].file_path = "/elsewhere/template.ram";
  EXPECT_TRUE(check_layout(saved, configured).ok());
}

}  // namespace
}  // namespace mimeo::snapshot
