/* Helpers of test_fiber_switch for x86-64: load known values into every
 * callee-saved register, switch, and report which ones came back changed;
 * and a partner that fills them with garbage before it switches back. */
	.text

/* uint64_t sb_test_regs_switch(void **save, void *to)
 * Returns a bitmask: bit 0 rbx, 1 rbp, 2 r12, 3 r13, 4 r14, 5 r15, 6 the
 * stack pointer; 0 when all survived. The caller's values are kept. */
	.globl	sb_test_regs_switch
	.type	sb_test_regs_switch, @function
sb_test_regs_switch:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	movq	%rsp, (%rsp)		/* the stack pointer, to compare after */
	movabsq	$0x1111111111111111, %rbx
	movabsq	$0x2222222222222222, %rbp
	movabsq	$0x3333333333333333, %r12
	movabsq	$0x4444444444444444, %r13
	movabsq	$0x5555555555555555, %r14
	movabsq	$0x6666666666666666, %r15
	xorl	%edx, %edx
	call	sb__fiber_switch
	xorl	%eax, %eax
	movabsq	$0x1111111111111111, %rcx
	cmpq	%rcx, %rbx
	je	1f
	orl	$1, %eax
1:	movabsq	$0x2222222222222222, %rcx
	cmpq	%rcx, %rbp
	je	2f
	orl	$2, %eax
2:	movabsq	$0x3333333333333333, %rcx
	cmpq	%rcx, %r12
	je	3f
	orl	$4, %eax
3:	movabsq	$0x4444444444444444, %rcx
	cmpq	%rcx, %r13
	je	4f
	orl	$8, %eax
4:	movabsq	$0x5555555555555555, %rcx
	cmpq	%rcx, %r14
	je	5f
	orl	$16, %eax
5:	movabsq	$0x6666666666666666, %rcx
	cmpq	%rcx, %r15
	je	6f
	orl	$32, %eax
6:	cmpq	%rsp, (%rsp)
	je	7f
	orl	$64, %eax
7:	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret
	.size	sb_test_regs_switch, .-sb_test_regs_switch

/* void sb_test_regs_clobber(void **save, void *to): garbage in every
 * callee-saved register, then switch; the caller's values are kept. */
	.globl	sb_test_regs_clobber
	.type	sb_test_regs_clobber, @function
sb_test_regs_clobber:
	pushq	%rbx
	pushq	%rbp
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	subq	$8, %rsp
	movq	$-1, %rbx
	movq	$-2, %rbp
	movq	$-3, %r12
	movq	$-4, %r13
	movq	$-5, %r14
	movq	$-6, %r15
	xorl	%edx, %edx
	call	sb__fiber_switch
	addq	$8, %rsp
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbp
	popq	%rbx
	ret
	.size	sb_test_regs_clobber, .-sb_test_regs_clobber

	.section .note.GNU-stack,"",@progbits
