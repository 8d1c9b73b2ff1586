/*
 * Entry stubs for the 32 exception vectors. Each pushes a zero error code
 * where the CPU pushes none, then its vector, and all of them call
 * exception_report(vector, error_code, rip), which does not return.
 */
        .section .text.exceptions, "ax"
        .code64

.macro exception_stub vector
exception_stub_\vector:
        .if !(\vector == 8 || (\vector >= 10 && \vector <= 14) || \vector == 17 || \vector == 21 || \vector == 29 || \vector == 30)
        pushq $0
        .endif
        pushq $\vector
        jmp exception_common
.endm

        .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        exception_stub \v
        .endr

exception_common:
        movq 0(%rsp), %rdi              /* vector */
        movq 8(%rsp), %rsi              /* error code */
        movq 16(%rsp), %rdx             /* faulting rip */
        andq $-16, %rsp
        call exception_report
1:      cli
        hlt
        jmp 1b

        .section .rodata.exceptions, "a"
        .balign 8
        .globl exception_stub_table
exception_stub_table:
        .irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
        .quad exception_stub_\v
        .endr

        .section .note.GNU-stack, "", @progbits
