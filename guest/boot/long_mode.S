/*
 * Shared by both images: the GDT, the static page tables, the switch from
 * 32-bit protected mode to long mode, and the common 64-bit start that calls
 * guest_main(kind, info).
 *
 * Everything here is written for an instruction emulator that runs ring 0 at
 * about a million instructions per second: the page tables are data in the
 * image (no loop builds them), and the path from entry to C is a few dozen
 * instructions.
 */
#include "boot_abi.h"

        .section .data.boot, "aw"
        .balign 16
        .globl gdt_desc
gdt:
        .quad 0
        .quad 0
        /* Accessed bits preset so loading a selector never writes the GDT. */
        .quad 0x00af9b000000ffff        /* GDT_CODE64: 64-bit code, DPL 0 */
        .quad 0x00cf93000000ffff        /* GDT_DATA: flat 4 GiB data */
gdt_end:
        .balign 8
        .fill 3, 2, 0                   /* pad so the base below is 8-aligned */
gdt_desc:
        .word gdt_end - gdt - 1
        .quad gdt                       /* 32-bit lgdt reads only the low half */

/*
 * Identity map of the first 4 GiB with 2 MiB pages: PML4[0] -> PDPT[0..3] ->
 * four page directories of 512 entries each. The last 32 MiB below 4 GiB
 * (IOAPIC, HPET, local APIC) are mapped uncached.
 */
        .section .data.page_tables, "aw"
        .balign 4096
        .globl pml4
pml4:
        .quad pdpt + 0x3                /* present, writable */
        .fill 511, 8, 0
pdpt:
        .quad page_dirs + 0x0000 + 0x3
        .quad page_dirs + 0x1000 + 0x3
        .quad page_dirs + 0x2000 + 0x3
        .quad page_dirs + 0x3000 + 0x3
        .fill 508, 8, 0
page_dirs:
        .set pde_index, 0
        .rept 2048
        .if pde_index >= 0x7f0
        .quad (pde_index << 21) | 0x9b  /* present, writable, PWT, PCD, 2 MiB */
        .else
        .quad (pde_index << 21) | 0x83  /* present, writable, 2 MiB */
        .endif
        .set pde_index, pde_index + 1
        .endr

/*
 * enter_long_mode32: from 32-bit protected mode with paging off (PVH entry,
 * Linux 32-bit entry). In: %edi = boot kind, %esi = boot info pointer.
 */
        .section .text.boot, "ax"
        .code32
        .globl enter_long_mode32
enter_long_mode32:
        lgdt gdt_desc
        movl $pml4, %eax
        movl %eax, %cr3
        movl %cr4, %eax
        orl $0x20, %eax                 /* CR4.PAE */
        movl %eax, %cr4
        movl $0xc0000080, %ecx          /* IA32_EFER */
        rdmsr
        orl $0x100, %eax                /* EFER.LME */
        wrmsr
        movl %cr0, %eax
        orl $0x80000001, %eax           /* CR0.PG | CR0.PE */
        movl %eax, %cr0
        ljmp $GDT_CODE64, $from_32bit

        .code64
from_32bit:
        /* The upper halves of registers are undefined after the mode switch. */
        movl %edi, %edi
        movl %esi, %esi
        jmp start64_common

/*
 * start64_common: 64-bit mode on our GDT and page tables.
 * In: %edi = boot kind, %rsi = boot info pointer. Does not return.
 */
        .globl start64_common
start64_common:
        movl $GDT_DATA, %eax
        movl %eax, %ds
        movl %eax, %es
        movl %eax, %ss
        movl %eax, %fs
        movl %eax, %gs
        leaq stack_top(%rip), %rsp
        movq %rdi, %rbx
        movq %rsi, %rbp
        /* Zero .bss (kept tiny: see the linker scripts and -fno-zero-initialized-in-bss). */
        leaq __bss_start(%rip), %rdi
        movl $__bss_qwords, %ecx
        xorl %eax, %eax
        rep stosq
        movq %rbx, %rdi
        movq %rbp, %rsi
        call guest_main
1:      cli
        hlt
        jmp 1b

        .section .noinit, "aw", @nobits
        .balign 16
stack_bottom:
        .skip 16384
        .globl stack_top
stack_top:

        .section .note.GNU-stack, "", @progbits
