/*
 * uint64_t sum_qword_blocks(uint64_t addr, uint64_t blocks)
 * Wrapping sum of blocks * 16 qwords. Memory-operand adds keep the count of
 * (emulated) instructions at 19 per 128 bytes.
 */
        .section .text, "ax"
        .code64
        .globl sum_qword_blocks
sum_qword_blocks:
        xorl %eax, %eax
        testq %rsi, %rsi
        jz 2f
1:
        .irp off, 0,8,16,24,32,40,48,56,64,72,80,88,96,104,112,120
        addq \off(%rdi), %rax
        .endr
        addq $128, %rdi
        decq %rsi
        jnz 1b
2:      ret

        .section .note.GNU-stack, "", @progbits
