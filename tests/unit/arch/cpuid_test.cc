#include "arch/x86/cpuid.h"

#include <gtest/gtest.h>

#include <cstring>

namespace mimeo::x86 {
namespace {

constexpr uint32_t bit(int n) { return 1u << n; }

kvm_cpuid_entry2 leaf(uint32_t function, uint32_t eax, uint32_t ebx, uint32_t ecx, uint32_t edx,
                      uint32_t index = 0, bool indexed = false) {
  kvm_cpuid_entry2 entry{};
  entry.function = function;
  entry.index = index;
  entry.flags = indexed ? KVM_CPUID_FLAG_SIGNIFCANT_INDEX : 0;
  entry.eax = eax;
  entry.ebx = ebx;
  entry.ecx = ecx;
  entry.edx = edx;
  return entry;
}

kvm_cpuid_entry2 vendor_leaf(uint32_t max_leaf, const char* vendor) {
  uint32_t regs[3];
  std::memcpy(regs, vendor, 12);
  return leaf(0, max_leaf, regs[0], regs[2], regs[1]);
}

// What KVM_GET_SUPPORTED_CPUID could answer on an Intel host with nesting,
// a PMU, SGX and Intel PT, so that every filter has something to remove.
std::vector<kvm_cpuid_entry2> intel_supported() {
  return {
      vendor_leaf(0x1f, "GenuineIntel"),
      leaf(1, 0x000906ea, 0x00000800,
           bit(0) | bit(3) | bit(5) | bit(13) | bit(15) | bit(21) | bit(26) | bit(28),
           bit(0) | bit(12) | bit(25) | bit(26)),
      leaf(4, 0x00000121, 0x01c0003f, 0x3f, 0, 0, true),    // L1d
      leaf(4, 0x00000143, 0x03c0003f, 0x3ff, 0, 2, true),   // L2
      leaf(4, 0x00000163, 0x03c0003f, 0x3fff, 6, 3, true),  // L3
      leaf(4, 0, 0, 0, 0, 4, true),
      leaf(5, 0x40, 0x40, 3, 0x11142120),
      leaf(7, 0, bit(2) | bit(3) | bit(5) | bit(7) | bit(8) | bit(20) | bit(25), bit(16),
           bit(19) | bit(26), 0, true),
      leaf(0xa, 0x07300404, 0, 0, 0x603),
      leaf(0xb, 1, 2, 0x100, 7, 0, true),
      leaf(0xb, 4, 8, 0x201, 7, 1, true),
      leaf(0xd, 0x7, 0x340, 0x340, 0, 0, true),
      leaf(0xd, bit(0) | bit(1) | bit(3), 0, 0, 0, 1, true),
      leaf(0xd, 0x100, 0x240, 0, 0, 2, true),
      leaf(0x12, 1, 0, 0, 0x1f, 0, true),
      leaf(0x14, 1, 0xf, 7, 0, 0, true),
      leaf(0x1f, 1, 2, 0x100, 7, 0, true),
      leaf(0x40000000, 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d),
      leaf(0x40000001, bit(0) | bit(3) | bit(5) | bit(15) | bit(16) | bit(24), 0, 0, 1),
      leaf(0x80000000, 0x80000008, 0, 0, 0),
      leaf(0x80000001, 0, 0, bit(0) | bit(5), bit(11) | bit(20) | bit(26) | bit(29)),
      leaf(0x80000008, 0x3027, 0, 0, 0),
  };
}

std::vector<kvm_cpuid_entry2> amd_supported() {
  return {
      vendor_leaf(0x10, "AuthenticAMD"),
      leaf(1, 0x00a00f11, 0x00000800, bit(0) | bit(13) | bit(21) | bit(31), bit(0) | bit(28)),
      leaf(7, 0, bit(3), 0, 0, 0, true),
      leaf(0xb, 1, 2, 0x100, 7, 0, true),
      leaf(0x80000000, 0x80000022, 0, 0, 0),
      leaf(0x80000001, 0, 0, bit(0) | bit(1) | bit(2) | bit(22) | bit(23), bit(26) | bit(29)),
      leaf(0x80000008, 0x3030, 0, 0x700f, 0),
      leaf(0x8000000a, 1, 0x8000, 0, 0x1ebfbcff),
      leaf(0x8000001d, 0x121, 0x1c0003f, 0x3f, 0, 0, true),
      leaf(0x8000001e, 3, 0x101, 0, 0),
      leaf(0x80000022, 7, 0x3006, 0, 0),
  };
}

std::vector<kvm_cpuid_entry2> build(const std::vector<kvm_cpuid_entry2>& supported,
                                    std::string_view cpu = "host", uint32_t vcpus = 1,
                                    bool tsc_deadline = false) {
  auto model = parse_cpu_option(cpu);
  EXPECT_TRUE(model.ok()) << model.error().describe();
  auto cpuid = build_cpuid(supported, {*model, vcpus, tsc_deadline});
  EXPECT_TRUE(cpuid.ok()) << cpuid.error().describe();
  return cpuid.ok() ? *cpuid : std::vector<kvm_cpuid_entry2>{};
}

std::string build_error(const std::vector<kvm_cpuid_entry2>& supported, std::string_view cpu,
                        uint32_t vcpus = 1) {
  auto model = parse_cpu_option(cpu);
  if (!model.ok()) {
    return model.error().message;
  }
  auto cpuid = build_cpuid(supported, {*model, vcpus, false});
  return cpuid.ok() ? "" : cpuid.error().message;
}

const kvm_cpuid_entry2& get(const std::vector<kvm_cpuid_entry2>& cpuid, uint32_t function,
                            uint32_t index = 0) {
  static const kvm_cpuid_entry2 kMissing{};
  const kvm_cpuid_entry2* entry = find_cpuid(cpuid, function, index);
  EXPECT_NE(entry, nullptr) << std::hex << function << "." << index;
  return entry ? *entry : kMissing;
}

TEST(Cpuid, HypervisorBitAndKvmLeaves) {
  auto cpuid = build(intel_supported());
  EXPECT_NE(get(cpuid, 1).ecx & bit(31), 0u);
  const auto& signature = get(cpuid, 0x40000000);
  char name[13] = {};
  std::memcpy(name, &signature.ebx, 4);
  std::memcpy(name + 4, &signature.ecx, 4);
  std::memcpy(name + 8, &signature.edx, 4);
  EXPECT_EQ(std::string(name, 12), std::string("KVMKVMKVM\0\0\0", 12));
  EXPECT_EQ(signature.eax, 0x40000001u);
  // kvmclock, kvmclock2, steal time and the stable bit stay; MSI extended
  // destination IDs and GPA-range hypercalls go, and so do the hints.
  EXPECT_EQ(get(cpuid, 0x40000001).eax, bit(0) | bit(3) | bit(5) | bit(24));
  EXPECT_EQ(get(cpuid, 0x40000001).edx, 0u);
}

TEST(Cpuid, WhatMimeoDoesNotEmulateIsFilteredOut) {
  auto cpuid = build(intel_supported());
  const auto& leaf1 = get(cpuid, 1);
  EXPECT_EQ(leaf1.ecx & bit(3), 0u) << "MONITOR";
  EXPECT_EQ(leaf1.ecx & bit(5), 0u) << "VMX";
  EXPECT_EQ(leaf1.ecx & bit(15), 0u) << "PDCM";
  EXPECT_NE(leaf1.ecx & bit(13), 0u) << "CX16 stays";
  EXPECT_NE(leaf1.ecx & bit(28), 0u) << "AVX stays";
  EXPECT_EQ(get(cpuid, 5).eax | get(cpuid, 5).ebx | get(cpuid, 5).ecx | get(cpuid, 5).edx, 0u);
  EXPECT_EQ(get(cpuid, 0xa).eax | get(cpuid, 0xa).edx, 0u) << "no PMU";
  EXPECT_EQ(get(cpuid, 7).ebx & (bit(2) | bit(25)), 0u) << "SGX, PT";
  EXPECT_NE(get(cpuid, 7).ebx & bit(5), 0u) << "AVX2 stays";
  EXPECT_EQ(get(cpuid, 7).edx & bit(19), 0u) << "arch LBR";
  EXPECT_EQ(find_cpuid(cpuid, 0x12), nullptr);
  EXPECT_EQ(find_cpuid(cpuid, 0x14), nullptr);
}

TEST(Cpuid, AmdNestedPmuAndTopologyExtensionsAreFilteredOut) {
  auto cpuid = build(amd_supported());
  const auto& ext = get(cpuid, 0x80000001);
  EXPECT_EQ(ext.ecx & (bit(2) | bit(22) | bit(23)), 0u) << "SVM, TOPOEXT, PERFCTR_CORE";
  EXPECT_NE(ext.ecx & bit(1), 0u) << "CmpLegacy stays";
  EXPECT_EQ(get(cpuid, 0x8000000a).eax, 0u);
  EXPECT_EQ(find_cpuid(cpuid, 0x8000001d), nullptr);
  EXPECT_EQ(find_cpuid(cpuid, 0x8000001e), nullptr);
  EXPECT_EQ(find_cpuid(cpuid, 0x80000022), nullptr);
  EXPECT_NE(find_cpuid(cpuid, 0x40000000), nullptr) << "added when KVM did not list it";
}

TEST(Cpuid, TscDeadlineFollowsTheCapability) {
  EXPECT_EQ(get(build(intel_supported()), 1).ecx & bit(24), 0u);
  EXPECT_NE(get(build(intel_supported(), "host", 1, true), 1).ecx & bit(24), 0u);
  EXPECT_EQ(get(build(intel_supported(), "host,-tsc-deadline", 1, true), 1).ecx & bit(24), 0u);
}

TEST(Cpuid, FeatureSettingsTurnBitsOnAndOff) {
  auto cpuid = build(intel_supported(), "host,-cx16,-avx2,-pdpe1gb,-smap,-hypervisor");
  EXPECT_EQ(get(cpuid, 1).ecx & (bit(13) | bit(31)), 0u);
  EXPECT_EQ(get(cpuid, 7).ebx & (bit(5) | bit(20)), 0u);
  EXPECT_NE(get(cpuid, 7).ebx & bit(8), 0u) << "bmi2 untouched";
  EXPECT_EQ(get(cpuid, 0x80000001).edx & bit(26), 0u);
  EXPECT_NE(get(cpuid, 0x40000000).ebx, 0u) << "KVM leaves stay without the hypervisor bit";
  auto back = build(intel_supported(), "host,-avx2,+avx2");
  EXPECT_NE(get(back, 7).ebx & bit(5), 0u) << "the last setting wins";
  auto kvmclock = build(intel_supported(), "host,-kvmclock");
  EXPECT_EQ(get(kvmclock, 0x40000001).eax, bit(5)) << "both clock bits and the stable bit";
}

TEST(Cpuid, TurningOffXsaveTurnsOffWhatNeedsIt) {
  auto cpuid = build(intel_supported(), "host,-xsave");
  EXPECT_EQ(get(cpuid, 1).ecx & (bit(26) | bit(28)), 0u) << "xsave and avx";
  EXPECT_EQ(get(cpuid, 7).ebx & bit(5), 0u) << "avx2";
  for (uint32_t index : {0u, 1u, 2u}) {
    const auto& xsave = get(cpuid, 0xd, index);
    EXPECT_EQ(xsave.eax | xsave.ebx | xsave.ecx | xsave.edx, 0u) << "leaf 0xd." << index;
  }
}

TEST(Cpuid, FeaturesKvmDoesNotOfferCannotBeTurnedOn) {
  EXPECT_EQ(build_error(amd_supported(), "host,+avx"), "+avx: KVM on this host does not offer avx");
  EXPECT_EQ(build_error(intel_supported(), "host,+la57"), "");
  EXPECT_EQ(build_error(intel_supported(), "host,+rdseed"),
            "+rdseed: KVM on this host does not offer rdseed");
  EXPECT_EQ(build_error(intel_supported(), "host,-avx,+avx2"), "+avx2 needs avx, which is off");
}

TEST(Cpuid, TopologyOfOneSocketWithOneThreadPerCore) {
  auto cpuid = build(intel_supported(), "host", 4);
  EXPECT_EQ((get(cpuid, 1).ebx >> 16) & 0xff, 4u);
  EXPECT_NE(get(cpuid, 1).edx & bit(28), 0u) << "HTT";
  for (uint32_t function : {0xbu, 0x1fu}) {
    const auto& smt = get(cpuid, function, 0);
    EXPECT_EQ(smt.eax, 0u);
    EXPECT_EQ(smt.ebx, 1u);
    EXPECT_EQ(smt.ecx, 0x100u);
    const auto& core = get(cpuid, function, 1);
    EXPECT_EQ(core.eax, 2u) << "x2APIC ID bits below the package";
    EXPECT_EQ(core.ebx, 4u);
    EXPECT_EQ(core.ecx, 0x201u);
    const auto& end = get(cpuid, function, 2);
    EXPECT_EQ(end.ebx, 0u);
    EXPECT_EQ(end.ecx, 2u) << "level type 0 ends the list";
  }
  // Leaf 4: 4 cores in the package; L1 and L2 per core, L3 shared by all.
  EXPECT_EQ(get(cpuid, 4, 0).eax >> 26, 3u);
  EXPECT_EQ((get(cpuid, 4, 0).eax >> 14) & 0xfff, 0u);
  EXPECT_EQ((get(cpuid, 4, 3).eax >> 14) & 0xfff, 3u);
  EXPECT_EQ(get(cpuid, 4, 3).eax & 0x3fff, 0x163u) << "cache type and level kept";
  EXPECT_EQ(get(cpuid, 4, 4).eax, 0u) << "the terminating subleaf stays empty";
}

TEST(Cpuid, OddCountsRoundTheIdSpaceUp) {
  auto three = build(intel_supported(), "host", 3);
  EXPECT_EQ((get(three, 1).ebx >> 16) & 0xff, 4u);
  EXPECT_EQ(get(three, 0xb, 1).eax, 2u);
  EXPECT_EQ(get(three, 0xb, 1).ebx, 3u);
  auto one = build(intel_supported(), "host", 1);
  EXPECT_EQ(get(one, 1).edx & bit(28), 0u) << "no HTT for one vCPU";
  EXPECT_EQ(get(one, 0xb, 1).eax, 0u);
  EXPECT_EQ(get(one, 0xb, 1).ebx, 1u);
}

TEST(Cpuid, AmdCoreCountInLeaf0x80000008) {
  auto cpuid = build(amd_supported(), "host", 6);
  const auto& sizes = get(cpuid, 0x80000008);
  EXPECT_EQ(sizes.ecx & 0xff, 5u) << "NC = cores - 1";
  EXPECT_EQ((sizes.ecx >> 12) & 0xf, 3u) << "ApicIdSize";
  EXPECT_EQ(find_cpuid(cpuid, 0x1f), nullptr) << "max basic leaf 0x10 < 0x1f";
  EXPECT_NE(find_cpuid(cpuid, 0xb, 1), nullptr);
}

TEST(Cpuid, EachVcpuGetsItsApicId) {
  auto base = build(intel_supported(), "host", 4);
  auto third = cpuid_for_vcpu(base, apic_id_of_vcpu(3));
  EXPECT_EQ(get(third, 1).ebx >> 24, 3u);
  EXPECT_EQ((get(third, 1).ebx >> 16) & 0xff, 4u) << "the rest of EBX is kept";
  for (uint32_t index : {0u, 1u, 2u}) {
    EXPECT_EQ(get(third, 0xb, index).edx, 3u);
    EXPECT_EQ(get(third, 0x1f, index).edx, 3u);
  }
  EXPECT_EQ(get(cpuid_for_vcpu(base, 0), 1).ebx >> 24, 0u);
}

TEST(Cpuid, VcpuCountIsChecked) {
  EXPECT_EQ(build_error(intel_supported(), "host", 0), "vCPU count 0 is outside 1 to 255");
  EXPECT_EQ(build_error(intel_supported(), "host", 256), "vCPU count 256 is outside 1 to 255");
  EXPECT_EQ(build_error(intel_supported(), "host", 255), "");
  EXPECT_EQ(build_error({}, "host"), "KVM_GET_SUPPORTED_CPUID lacks leaves 0 and 1");
}

}  // namespace
}  // namespace mimeo::x86
