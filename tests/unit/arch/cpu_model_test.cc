#include "arch/x86/cpu_model.h"

#include <gtest/gtest.h>

#include "arch/x86/cpu_features.h"

namespace mimeo::x86 {
namespace {

std::string error_of(std::string_view text) {
  auto model = parse_cpu_option(text);
  return model.ok() ? "" : model.error().message;
}

TEST(CpuOption, HostAndMaxWithQemuFeatureSyntax) {
  auto model = parse_cpu_option("host,+avx,-cx16,x2apic=on,pdpe1gb=off,rdrand,sse4_1=yes");
  ASSERT_TRUE(model.ok()) << model.error().describe();
  EXPECT_EQ(model->name, "host");
  EXPECT_EQ(model->features, (std::vector<CpuFeatureSetting>{{"avx", true},
                                                             {"cx16", false},
                                                             {"x2apic", true},
                                                             {"pdpe1gb", false},
                                                             {"rdrand", true},
                                                             {"sse4.1", true}}));
  auto max = parse_cpu_option("max");
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(max->name, "max");
  EXPECT_TRUE(max->features.empty());
}

TEST(CpuOption, AliasesMapToQemuNames) {
  auto model = parse_cpu_option("host,-sse3,+xd,-tsc_deadline,-lahf_lm");
  ASSERT_TRUE(model.ok()) << model.error().describe();
  EXPECT_EQ(model->features,
            (std::vector<CpuFeatureSetting>{
                {"pni", false}, {"nx", true}, {"tsc-deadline", false}, {"lahf-lm", false}}));
}

TEST(CpuOption, OtherModelsAreRejected) {
  EXPECT_EQ(error_of("qemu64"),
            "-cpu qemu64: unsupported CPU model; mimeo offers only 'host' (or its alias 'max')");
  EXPECT_EQ(error_of("Skylake-Server,+avx"),
            "-cpu Skylake-Server: unsupported CPU model; mimeo offers only 'host' (or its alias "
            "'max')");
  EXPECT_EQ(error_of(""), "-cpu: missing CPU model (mimeo offers 'host')");
  EXPECT_EQ(error_of(",+avx"), "-cpu: missing CPU model (mimeo offers 'host')");
}

TEST(CpuOption, UnknownAndMalformedFeaturesAreNamed) {
  EXPECT_EQ(error_of("host,+avx9"),
            "-cpu: unknown CPU feature 'avx9' (docs/cpuid.md lists the known ones)");
  EXPECT_EQ(error_of("host,migratable=no"),
            "-cpu: unknown CPU feature 'migratable' (docs/cpuid.md lists the known ones)");
  EXPECT_EQ(error_of("host,avx=maybe"), "-cpu: 'avx=maybe': 'maybe' is not on or off");
  EXPECT_EQ(error_of("host,+"), "-cpu: empty feature name in '+'");
  EXPECT_EQ(error_of("host,"), "-cpu: empty feature name in ''");
}

TEST(CpuOption, RefusedFeaturesSayWhyAndMayBeTurnedOff) {
  EXPECT_EQ(error_of("host,+vmx"),
            "-cpu: feature 'vmx' is not supported by mimeo: nested virtualization is not "
            "supported (mimeo does not save nested state)");
  EXPECT_EQ(error_of("host,pmu=on"),
            "-cpu: feature 'pmu' is not supported by mimeo: there is no virtual PMU (performance "
            "counters are neither set up nor saved)");
  auto off = parse_cpu_option("host,-vmx,pmu=off,-monitor");
  ASSERT_TRUE(off.ok());
  EXPECT_TRUE(off->features.empty()) << "already off: nothing to change";
}

TEST(CpuOption, TheDocumentedFeaturesAreKnown) {
  for (const char* name :
       {"cx16",    "x2apic", "avx",    "avx2", "xsave",      "bmi1",         "bmi2",
        "pdpe1gb", "rdrand", "rdseed", "smep", "smap",       "la57",         "pcid",
        "invpcid", "movbe",  "popcnt", "aes",  "hypervisor", "tsc-deadline", "kvmclock"}) {
    EXPECT_NE(find_cpu_feature(name), nullptr) << name;
  }
}

}  // namespace
}  // namespace mimeo::x86
