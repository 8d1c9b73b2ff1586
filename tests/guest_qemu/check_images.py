#!/usr/bin/env python3
"""Checks the boot-relevant structure of guest.elf and guest.bzImage without running them.

guest.elf: ELF64 x86-64 executable, a PT_LOAD at physical 1 MiB, and a PT_NOTE
holding the "Xen" note XEN_ELFNOTE_PHYS32_ENTRY (18) whose address lies in the
loaded image. guest.bzImage: the Linux boot protocol setup header fields a
64-bit loader relies on (Documentation/arch/x86/boot.rst).

Usage: check_images.py --elf build/guest/guest.elf --bzimage build/guest/guest.bzImage
"""

import argparse
import struct
import sys

XEN_ELFNOTE_PHYS32_ENTRY = 18
PT_LOAD, PT_NOTE = 1, 4
LOAD_ADDR = 0x100000


def check_elf(path, problems):
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        problems.append(f"{path}: not a little-endian ELF64 file")
        return
    (e_type, e_machine, _, e_entry, e_phoff, _, _, _, e_phentsize, e_phnum) = struct.unpack_from(
        "<HHIQQQIHHH", data, 16)
    if e_type != 2 or e_machine != 62:
        problems.append(f"{path}: want an x86-64 executable, got type {e_type} machine {e_machine}")
    loads, notes = [], []
    for i in range(e_phnum):
        p_type, _, p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, _ = struct.unpack_from(
            "<IIQQQQQQ", data, e_phoff + i * e_phentsize)
        if p_type == PT_LOAD:
            loads.append((p_paddr, p_memsz, p_filesz))
        elif p_type == PT_NOTE:
            notes.append(data[p_offset:p_offset + p_filesz])
    if not loads or min(p for p, _, _ in loads) != LOAD_ADDR:
        problems.append(f"{path}: lowest PT_LOAD is not at physical {LOAD_ADDR:#x}: {loads}")
    entry = None
    for note in notes:
        pos = 0
        while pos + 12 <= len(note):
            namesz, descsz, kind = struct.unpack_from("<III", note, pos)
            name = note[pos + 12:pos + 12 + namesz]
            desc_pos = pos + 12 + ((namesz + 3) & ~3)
            desc = note[desc_pos:desc_pos + descsz]
            if name == b"Xen\0" and kind == XEN_ELFNOTE_PHYS32_ENTRY:
                entry = int.from_bytes(desc, "little")
            pos = desc_pos + ((descsz + 3) & ~3)
    if entry is None:
        problems.append(f"{path}: no Xen PHYS32_ENTRY note in a PT_NOTE segment")
    elif not any(p <= entry < p + filesz for p, _, filesz in loads) or entry >= 1 << 32:
        problems.append(f"{path}: PVH entry {entry:#x} is not in the loaded image below 4 GiB")


def check_bzimage(path, problems):
    data = open(path, "rb").read()

    def field(fmt, offset):
        return struct.unpack_from("<" + fmt, data, offset)[0]

    def want(name, got, expected):
        if got != expected:
            problems.append(f"{path}: {name} is {got:#x}, want {expected:#x}")

    want("boot_flag (0x1fe)", field("H", 0x1fe), 0xAA55)
    if data[0x202:0x206] != b"HdrS":
        problems.append(f"{path}: no 'HdrS' at 0x202")
        return
    version = field("H", 0x206)
    if version < 0x020C:
        problems.append(f"{path}: boot protocol {version:#x} is older than 2.12")
    setup_sects = data[0x1F1]
    if setup_sects == 0:
        problems.append(f"{path}: setup_sects is 0 (loaders would read it as 4)")
    payload = (setup_sects + 1) * 512
    payload_size = len(data) - payload
    syssize = field("I", 0x1F4)
    if not payload_size <= syssize * 16 < payload_size + 16:
        problems.append(f"{path}: syssize {syssize} * 16 does not match the {payload_size}-byte "
                        "protected-mode part")
    want("loadflags LOADED_HIGH (0x211 bit 0)", data[0x211] & 1, 1)
    want("xloadflags XLF_KERNEL_64 (0x236 bit 0)", field("H", 0x236) & 1, 1)
    want("code32_start (0x214)", field("I", 0x214), LOAD_ADDR)
    want("pref_address (0x258)", field("Q", 0x258), LOAD_ADDR)
    init_size = field("I", 0x260)
    if init_size < payload_size or init_size % 4096:
        problems.append(f"{path}: init_size {init_size:#x} is smaller than the image or unaligned")
    if field("I", 0x238) == 0:
        problems.append(f"{path}: cmdline_size is 0")
    alignment = field("I", 0x230)
    if alignment == 0 or alignment & (alignment - 1) or LOAD_ADDR % alignment:
        problems.append(f"{path}: kernel_alignment {alignment:#x} does not fit {LOAD_ADDR:#x}")
    # The 64-bit entry at +0x200 must be code, not padding.
    if payload_size <= 0x200 or data[payload + 0x200:payload + 0x210] == bytes(16):
        problems.append(f"{path}: nothing at the 64-bit entry (protected-mode part + 0x200)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elf", required=True)
    parser.add_argument("--bzimage", required=True)
    args = parser.parse_args()
    problems = []
    check_elf(args.elf, problems)
    check_bzimage(args.bzimage, problems)
    for problem in problems:
        print("FAIL: " + problem)
    if not problems:
        print(f"PASS: {args.elf} and {args.bzimage} have the expected boot headers")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
