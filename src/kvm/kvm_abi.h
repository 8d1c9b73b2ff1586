// Correct ioctl numbers and array headers for the KVM ioctls whose argument
// struct ends in a flexible array.
//
// The uapi headers declare those arrays with __DECLARE_FLEX_ARRAY, which wraps
// them in a struct holding an empty struct. An empty struct is 0 bytes in C but
// 1 byte in C++, so in C++ sizeof(kvm_cpuid2) is 12 instead of 8, the array
// starts at offset 12 instead of 8, and every _IOWR(..., struct kvm_cpuid2)
// encodes the wrong size: the kernel answers EINVAL (or ENOTTY). Measured here
// with g++ 12 and Linux 6.18 headers. So C++ code must neither use those
// macros nor the `entries` members; it uses the headers and numbers below,
// which follow the C layout (checked against the values a C compiler computes).
#pragma once

#include <linux/kvm.h>
#include <sys/ioctl.h>

#include <cstdint>

namespace mimeo::kvm::abi {

// struct kvm_cpuid2 without its array; kvm_cpuid_entry2[nent] follows at offset 8.
struct Cpuid2Header {
  uint32_t nent;
  uint32_t padding;
};
// struct kvm_msrs without its array; kvm_msr_entry[nmsrs] follows at offset 8.
struct MsrsHeader {
  uint32_t nmsrs;
  uint32_t pad;
};
// struct kvm_msr_list without its array; uint32_t[nmsrs] follows at offset 4.
struct MsrListHeader {
  uint32_t nmsrs;
};
// struct kvm_irq_routing without its array; kvm_irq_routing_entry[nr] follows at offset 8.
struct IrqRoutingHeader {
  uint32_t nr;
  uint32_t flags;
};
// struct kvm_signal_mask without its array; the sigset bytes follow at offset 4.
struct SignalMaskHeader {
  uint32_t len;
};
// struct kvm_xsave as KVM_GET_XSAVE/KVM_SET_XSAVE transfer it (4096 bytes).
struct Xsave {
  uint32_t region[1024];
};

static_assert(sizeof(Cpuid2Header) == 8 && sizeof(MsrsHeader) == 8);
static_assert(sizeof(MsrListHeader) == 4 && sizeof(IrqRoutingHeader) == 8);
static_assert(sizeof(Xsave) == 4096);
static_assert(sizeof(kvm_cpuid_entry2) == 40 && sizeof(kvm_msr_entry) == 16);

inline constexpr unsigned long kGetMsrIndexList = _IOWR(KVMIO, 0x02, MsrListHeader);
inline constexpr unsigned long kGetSupportedCpuid = _IOWR(KVMIO, 0x05, Cpuid2Header);
inline constexpr unsigned long kGetMsrs = _IOWR(KVMIO, 0x88, MsrsHeader);
inline constexpr unsigned long kSetMsrs = _IOW(KVMIO, 0x89, MsrsHeader);
inline constexpr unsigned long kSetSignalMask = _IOW(KVMIO, 0x8b, SignalMaskHeader);
inline constexpr unsigned long kSetCpuid2 = _IOW(KVMIO, 0x90, Cpuid2Header);
inline constexpr unsigned long kGetCpuid2 = _IOWR(KVMIO, 0x91, Cpuid2Header);
inline constexpr unsigned long kGetXsave = _IOR(KVMIO, 0xa4, Xsave);
inline constexpr unsigned long kSetXsave = _IOW(KVMIO, 0xa5, Xsave);
inline constexpr unsigned long kSetGsiRouting = _IOW(KVMIO, 0x6a, IrqRoutingHeader);

// The values a C compiler gives the uapi macros.
static_assert(kGetMsrIndexList == 0xc004ae02);
static_assert(kGetSupportedCpuid == 0xc008ae05);
static_assert(kGetMsrs == 0xc008ae88);
static_assert(kSetMsrs == 0x4008ae89);
static_assert(kSetCpuid2 == 0x4008ae90);
static_assert(kGetXsave == 0x9000aea4);

}  // namespace mimeo::kvm::abi
