/* The fiber context switch for aarch64 (AAPCS64): see switch.h.
 *
 * A saved context is 176 bytes at its stack pointer, lowest first:
 *   0: x19 x20, 16: x21 x22, 32: x23 x24, 48: x25 x26, 64: x27 x28,
 *   80: x29 (frame pointer) x30 (return address),
 *   96: d8 d9, 112: d10 d11, 128: d12 d13, 144: d14 d15, 160: FPCR, 168: 0
 * Only the low 64 bits of v8-v15 are callee-saved (AAPCS64 6.1.2); x18 is a
 * temporary on Linux. FPCR (rounding, flush-to-zero, default NaN) belongs to
 * the context; it is written back only when it differs, since an FPCR write
 * can be slow on some cores. FPSR's sticky flags are not preserved by calls. */
	.text

/* void *sb__fiber_switch(void **save, void *to, void *arg) */
	.globl	sb__fiber_switch
	.hidden	sb__fiber_switch
	.type	sb__fiber_switch, %function
	.p2align 4
sb__fiber_switch:
	.cfi_startproc
	sub	sp, sp, #176
	stp	x19, x20, [sp, #0]
	stp	x21, x22, [sp, #16]
	stp	x23, x24, [sp, #32]
	stp	x25, x26, [sp, #48]
	stp	x27, x28, [sp, #64]
	stp	x29, x30, [sp, #80]
	stp	d8, d9, [sp, #96]
	stp	d10, d11, [sp, #112]
	stp	d12, d13, [sp, #128]
	stp	d14, d15, [sp, #144]
	mrs	x9, fpcr
	str	x9, [sp, #160]
	mov	x10, sp
	str	x10, [x0]
	/* From here on we are on the other stack. */
	mov	sp, x1
	ldr	x10, [sp, #160]
	cmp	x9, x10
	b.eq	1f
	msr	fpcr, x10
1:	ldp	x19, x20, [sp, #0]
	ldp	x21, x22, [sp, #16]
	ldp	x23, x24, [sp, #32]
	ldp	x25, x26, [sp, #48]
	ldp	x27, x28, [sp, #64]
	ldp	x29, x30, [sp, #80]
	ldp	d8, d9, [sp, #96]
	ldp	d10, d11, [sp, #112]
	ldp	d12, d13, [sp, #128]
	ldp	d14, d15, [sp, #144]
	add	sp, sp, #176
	mov	x0, x2
	ret
	.cfi_endproc
	.size	sb__fiber_switch, .-sb__fiber_switch

/* A fresh context's first stop: entry(arg, data) from x19 and x20, with the
 * frame pointer zero so that frame walks end here. */
	.globl	sb__fiber_trampoline
	.hidden	sb__fiber_trampoline
	.type	sb__fiber_trampoline, %function
	.p2align 4
sb__fiber_trampoline:
	.cfi_startproc
	.cfi_undefined x30
	mov	x1, x20
	blr	x19
	brk	#0	/* an entry returned: a broken invariant */
	.cfi_endproc
	.size	sb__fiber_trampoline, .-sb__fiber_trampoline

/* void *sb__fiber_ctx_make(void *hi, sb__fiber_entry_fn entry, void *data)
 * The frame sits 16 bytes below hi rounded down to 16, so that sp stays
 * 16-byte aligned (the architecture requires it) once the frame is popped. */
	.globl	sb__fiber_ctx_make
	.hidden	sb__fiber_ctx_make
	.type	sb__fiber_ctx_make, %function
	.p2align 4
sb__fiber_ctx_make:
	.cfi_startproc
	and	x0, x0, #0xfffffffffffffff0
	sub	x0, x0, #192
	stp	x1, x2, [x0, #0]
	stp	xzr, xzr, [x0, #16]
	stp	xzr, xzr, [x0, #32]
	stp	xzr, xzr, [x0, #48]
	stp	xzr, xzr, [x0, #64]
	adr	x9, sb__fiber_trampoline
	stp	xzr, x9, [x0, #80]
	stp	xzr, xzr, [x0, #96]
	stp	xzr, xzr, [x0, #112]
	stp	xzr, xzr, [x0, #128]
	stp	xzr, xzr, [x0, #144]
	mrs	x9, fpcr
	stp	x9, xzr, [x0, #160]
	ret
	.cfi_endproc
	.size	sb__fiber_ctx_make, .-sb__fiber_ctx_make

	.section .note.GNU-stack,"",%progbits
