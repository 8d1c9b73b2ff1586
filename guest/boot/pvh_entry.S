/*
 * PVH entry of guest.elf (x86/HVM direct boot ABI, as used by Xen, QEMU,
 * Firecracker and mimeo): the ELF note XEN_ELFNOTE_PHYS32_ENTRY gives the
 * physical address of a 32-bit entry point, entered in protected mode with
 * paging off, flat CS/DS/ES/SS, and %ebx = physical address of
 * struct hvm_start_info. No stack is provided.
 */
#include "boot_abi.h"

#define XEN_ELFNOTE_PHYS32_ENTRY 18

        .section .note.pvh, "a", @note
        .balign 4
        .long 4                         /* namesz: "Xen\0" */
        .long 8                         /* descsz: like Linux, a 64-bit address */
        .long XEN_ELFNOTE_PHYS32_ENTRY
        .asciz "Xen"
        .quad pvh_entry
        .balign 4

        .section .text.entry, "ax"
        .code32
        .globl pvh_entry
pvh_entry:
        cli
        cld
        movl %ebx, %esi
        movl $BOOT_KIND_PVH, %edi
        jmp enter_long_mode32

        .section .note.GNU-stack, "", @progbits
