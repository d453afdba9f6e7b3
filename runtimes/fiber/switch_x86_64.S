/* The fiber context switch for x86-64 (System V): see switch.h.
 *
 * A saved context is 64 bytes at its stack pointer, lowest first:
 *   0: x87 control word (2 bytes), 2: zero, 4: MXCSR (4 bytes)
 *   8: r15, 16: r14, 24: r13, 32: r12, 40: rbx, 48: rbp, 56: return address
 * rax, rcx, rdx, rsi, rdi, r8-r11 and the vector registers are caller-saved:
 * the compiler already assumes the call destroys them. The x87 status and
 * MXCSR's flag bits are not preserved by calls either; only the control
 * fields (rounding, exception masks, flush-to-zero) belong to a context.
 *
 * The resumed context is entered with `ret`, so that every call of this
 * function is matched by one return and the return-stack predictor stays
 * in step: fibers all switch from the same call site (sb__fiber_leave) and
 * return up the same chain, which it then predicts. An indirect jump won a
 * two-context microbenchmark here (5.5 ns against 11.7, no return executed
 * at all) but lost yield on the runtime (27 ns against 64 at best): each
 * level of the resumed chain then returns one entry off. */
	.text

/* void *sb__fiber_switch(void **save, void *to, void *arg) */
	.globl	sb__fiber_switch
	.hidden	sb__fiber_switch
	.type	sb__fiber_switch, @function
	.p2align 4
sb__fiber_switch:
	.cfi_startproc
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	fnstcw	(%rsp)
	stmxcsr	4(%rsp)
	movq	%rsp, (%rdi)
	/* From here on we are on the other stack. */
	movq	%rsi, %rsp
	fldcw	(%rsp)
	ldmxcsr	4(%rsp)
	movq	8(%rsp), %r15
	movq	16(%rsp), %r14
	movq	24(%rsp), %r13
	movq	32(%rsp), %r12
	movq	40(%rsp), %rbx
	movq	48(%rsp), %rbp
	addq	$56, %rsp
	movq	%rdx, %rax
	ret
	.cfi_endproc
	.size	sb__fiber_switch, .-sb__fiber_switch

/* A fresh context's first stop: entry(arg, data) from r12 and rbx; the
 * stack is 16-byte aligned here, so the call leaves it as the ABI wants.
 * The return address is undefined: unwinders and debuggers stop here. */
	.globl	sb__fiber_trampoline
	.hidden	sb__fiber_trampoline
	.type	sb__fiber_trampoline, @function
	.p2align 4
sb__fiber_trampoline:
	.cfi_startproc
	.cfi_undefined rip
	movq	%rax, %rdi
	movq	%rbx, %rsi
	callq	*%r12
	ud2		/* an entry returned: a broken invariant */
	.cfi_endproc
	.size	sb__fiber_trampoline, .-sb__fiber_trampoline

/* void *sb__fiber_ctx_make(void *hi, sb__fiber_entry_fn entry, void *data)
 * The frame sits 16 bytes below hi rounded down to 16, so that after the
 * 64-byte pop the trampoline runs on a 16-byte aligned stack. */
	.globl	sb__fiber_ctx_make
	.hidden	sb__fiber_ctx_make
	.type	sb__fiber_ctx_make, @function
	.p2align 4
sb__fiber_ctx_make:
	.cfi_startproc
	movq	%rdi, %rax
	andq	$-16, %rax
	subq	$80, %rax
	movq	$0, (%rax)
	fnstcw	(%rax)
	stmxcsr	4(%rax)
	movq	$0, 8(%rax)
	movq	$0, 16(%rax)
	movq	$0, 24(%rax)
	movq	%rsi, 32(%rax)
	movq	%rdx, 40(%rax)
	movq	$0, 48(%rax)
	leaq	sb__fiber_trampoline(%rip), %rcx
	movq	%rcx, 56(%rax)
	ret
	.cfi_endproc
	.size	sb__fiber_ctx_make, .-sb__fiber_ctx_make

	.section .note.GNU-stack,"",@progbits
