/*
 * guest.bzImage: a minimal Linux x86 boot image (Documentation/arch/x86/boot.rst).
 *
 * File layout: (setup_sects + 1) * 512 = 1024 bytes of "real-mode" part (a
 * boot sector whose tail is the setup header at 0x1f1, then one setup sector
 * with a tiny real-mode setup), followed by the protected-mode part that the
 * loader puts at 0x100000:
 *   +0x000  startup_32: 32-bit boot protocol entry (code32_start)
 *   +0x200  startup_64: 64-bit boot protocol entry (what mimeo uses)
 *
 * The real-mode setup is only for loaders that run it (QEMU with firmware):
 * it builds a zero page with the BIOS e820 map and goes straight from real
 * mode to startup_64 the way a 64-bit boot loader would, so QEMU exercises
 * the same entry and the same header fields as mimeo's loader.
 */
#include "boot_abi.h"

#define ZERO_PAGE 0x1000        /* offset of our boot_params in the setup segment */
#define SETUP_STACK 0x3000
#define E820_SMAP 0x534d4150
#define E820_MAX 128

/* Fails the build if the header field about to be emitted is not at its documented offset. */
.macro at_offset off
        .if (. - setup_header) != (\off - 0x1f1)
        .error "setup header field at the wrong offset"
        .endif
.endm

        .section .bzimage.setup, "ax"
        .code16
bzimage_start:
        /* Boot sector: nothing runs here (no BIOS boots this image from disk). */
        .org 0x1f1
setup_header:
setup_sects:    .byte 1                 /* one 512-byte setup sector follows the boot sector */
root_flags:     .word 0
syssize:        .long _syssize          /* protected-mode part, in 16-byte units */
ram_size:       .word 0
vid_mode:       .word 0xffff            /* "normal" */
root_dev:       .word 0
boot_flag:      .word 0xaa55
        at_offset 0x200
        /* jmp setup_code (real-mode entry). Loaders read 0x202 + this offset as the header's end. */
        .byte 0xeb, setup_code - 1f
1:
        at_offset 0x202
header:         .ascii "HdrS"
version:        .word 0x020c            /* boot protocol 2.12 */
realmode_swtch: .long 0
start_sys_seg:  .word 0x1000
kernel_version: .word version_string - 0x200
type_of_loader: .byte 0
loadflags:      .byte 0x01              /* LOADED_HIGH: protected-mode part at 0x100000 */
setup_move_size: .word 0
code32_start:   .long GUEST_LOAD_ADDR
ramdisk_image:  .long 0
ramdisk_size:   .long 0
bootsect_kludge: .long 0
heap_end_ptr:   .word 0
ext_loader_ver: .byte 0
ext_loader_type: .byte 0
        at_offset 0x228
cmd_line_ptr:   .long 0
initrd_addr_max: .long 0x7fffffff
kernel_alignment: .long 0x1000
relocatable_kernel: .byte 0             /* must be loaded at pref_address */
min_alignment:  .byte 12
        at_offset 0x236
xloadflags:     .word 0x0001            /* XLF_KERNEL_64: startup_64 at +0x200 */
cmdline_size:   .long 1023              /* bytes without the NUL; the guest keeps 1023 */
hardware_subarch: .long 0
hardware_subarch_data: .quad 0
payload_offset: .long 0
payload_length: .long 0
setup_data:     .quad 0
        at_offset 0x258
pref_address:   .quad GUEST_LOAD_ADDR
init_size:      .long _init_size        /* memory the guest uses from 0x100000 */
handover_offset: .long 0                /* no EFI handover */
        at_offset 0x268
header_end:                             /* setup_code must follow directly: see the jump */

/*
 * Real-mode setup, entered at setup segment + 0x20 : 0 with DS = ES = SS =
 * the setup segment (the loader's zero page is the header above, in place).
 */
setup_code:
        cli
        cld
        movw %cs, %ax
        subw $0x20, %ax
        movw %ax, %ds
        movw %ax, %es
        movw %ax, %ss
        movw $SETUP_STACK, %sp

        /* boot_params = zeroes + a copy of the (loader-updated) setup header. */
        movw $ZERO_PAGE, %di
        xorl %eax, %eax
        movw $1024, %cx
        rep stosl
        movw $0x1f1, %si
        movw $ZERO_PAGE + 0x1f1, %di
        movw $header_end - setup_sects, %cx
        rep movsb

        /* BIOS memory map into boot_params.e820_table (0x2d0), count at 0x1e8. */
        xorl %ebx, %ebx
        movw $ZERO_PAGE + 0x2d0, %di
e820_next:
        movl $0xe820, %eax
        movl $20, %ecx
        movl $E820_SMAP, %edx
        int $0x15
        jc e820_done
        cmpl $E820_SMAP, %eax
        jne e820_done
        incb ZERO_PAGE + 0x1e8
        addw $20, %di
        testl %ebx, %ebx
        jz e820_done
        cmpb $E820_MAX, ZERO_PAGE + 0x1e8
        jb e820_next
e820_done:
        cli

        /* Linear addresses: the GDT's base and boot_params for %rsi. */
        xorl %eax, %eax
        movw %ds, %ax
        shll $4, %eax
        addl %eax, setup_gdt_desc + 2
        leal ZERO_PAGE(%eax), %esi
        lgdtl setup_gdt_desc

        /* Real mode straight to long mode with the image's identity map. */
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
        ljmpl $GDT_CODE64, $startup_64

        .balign 8
setup_gdt:
        .quad 0
        .quad 0
        .quad 0x00af9b000000ffff        /* GDT_CODE64 */
        .quad 0x00cf93000000ffff        /* GDT_DATA */
setup_gdt_desc:
        .word setup_gdt_desc - setup_gdt - 1
        .long setup_gdt                 /* made linear at run time */

version_string:
        .asciz "mimeo-guest"

/*
 * Protected-mode part, loaded at 0x100000. The linker script puts
 * .bzimage.head32 first and .bzimage.head64 at offset 0x200.
 */
        .section .bzimage.head32, "ax"
        .code32
        .globl startup_32
startup_32:                             /* %esi = boot_params, paging off */
        cli
        cld
        movl $BOOT_KIND_LINUX, %edi
        jmp enter_long_mode32

        .section .bzimage.head64, "ax"
        .code64
        .globl startup_64
startup_64:
        /*
         * 64-bit boot protocol: long mode, the loader's identity map (which may
         * cover only the image and boot data), %rsi = boot_params. Switch to
         * our own GDT and page tables, which map the local APIC and IOAPIC.
         */
        cli
        cld
        lgdt gdt_desc(%rip)
        movl $GDT_DATA, %eax
        movl %eax, %ds
        movl %eax, %es
        movl %eax, %ss
        leaq stack_top(%rip), %rsp
        movl $pml4, %eax
        movq %rax, %cr3
        pushq $GDT_CODE64
        leaq 1f(%rip), %rax
        pushq %rax
        lretq
1:      movl $BOOT_KIND_LINUX, %edi
        jmp start64_common

        .section .note.GNU-stack, "", @progbits
