// Section payloads of the state stream, one encoder and one checking decoder
// per component (docs/state-stream.md lists the sections). A payload comes from
// an untrusted file: every size is checked, and the decoder refuses trailing
// bytes.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "arch/x86/vcpu_state.h"
#include "arch/x86/vm_state.h"
#include "base/result.h"
#include "devices/identity_device.h"
#include "devices/serial_8250.h"

namespace mimeo::vmm {

// Section versions: bump when a payload's layout changes.
inline constexpr uint32_t kVcpuSectionVersion = 1;
inline constexpr uint32_t kVmSectionVersion = 1;
inline constexpr uint32_t kSerialSectionVersion = 1;
inline constexpr uint32_t kIdentitySectionVersion = 1;

[[nodiscard]] std::vector<uint8_t> encode_vcpu(const x86::VcpuState& state);
[[nodiscard]] Result<x86::VcpuState> decode_vcpu(std::span<const uint8_t> payload);

[[nodiscard]] std::vector<uint8_t> encode_vm(const x86::VmState& state);
[[nodiscard]] Result<x86::VmState> decode_vm(std::span<const uint8_t> payload);

[[nodiscard]] std::vector<uint8_t> encode_serial(const devices::Serial8250::State& state);
[[nodiscard]] Result<devices::Serial8250::State> decode_serial(std::span<const uint8_t> payload);

[[nodiscard]] std::vector<uint8_t> encode_identity(const devices::IdentityDevice::State& state);
[[nodiscard]] Result<devices::IdentityDevice::State> decode_identity(
    std::span<const uint8_t> payload);

}  // namespace mimeo::vmm
