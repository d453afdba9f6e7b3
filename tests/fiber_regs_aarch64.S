/* Helpers of test_fiber_switch for aarch64: load known values into every
 * callee-saved register (x19-x29, d8-d15), switch, and report which ones
 * came back changed; and a partner that fills them with garbage before it
 * switches back. */
	.text

/* Saves x19-x30 and d8-d15 in a 176-byte frame; restores them. */
.macro	save_all
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
.endm
.macro	restore_all
	ldp	x19, x20, [sp, #0]
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
.endm
/* Loads value v + k into register k of x19..x29 and d8..d15 (k = 0..18). */
.macro	fill v
	mov	x9, #\v
	add	x19, x9, #0
	add	x20, x9, #1
	add	x21, x9, #2
	add	x22, x9, #3
	add	x23, x9, #4
	add	x24, x9, #5
	add	x25, x9, #6
	add	x26, x9, #7
	add	x27, x9, #8
	add	x28, x9, #9
	add	x29, x9, #10
	add	x10, x9, #11
	fmov	d8, x10
	add	x10, x9, #12
	fmov	d9, x10
	add	x10, x9, #13
	fmov	d10, x10
	add	x10, x9, #14
	fmov	d11, x10
	add	x10, x9, #15
	fmov	d12, x10
	add	x10, x9, #16
	fmov	d13, x10
	add	x10, x9, #17
	fmov	d14, x10
	add	x10, x9, #18
	fmov	d15, x10
.endm
/* Sets bit k of x0 when register k differs from v + k. */
.macro	check_x reg, k, v
	mov	x10, #(\v + \k)
	cmp	\reg, x10
	b.eq	1f
	orr	x0, x0, #(1 << \k)
1:
.endm
.macro	check_d reg, k, v
	fmov	x11, \reg
	mov	x10, #(\v + \k)
	cmp	x11, x10
	b.eq	1f
	orr	x0, x0, #(1 << \k)
1:
.endm

/* uint64_t sb_test_regs_switch(void **save, void *to): bit k set when
 * register k (x19..x29, then d8..d15) came back changed, bit 19 when the
 * stack pointer did; 0 when all survived. */
	.globl	sb_test_regs_switch
	.type	sb_test_regs_switch, %function
sb_test_regs_switch:
	save_all
	sub	sp, sp, #16
	mov	x9, sp
	str	x9, [sp]
	fill	0x100
	mov	x2, #0
	bl	sb__fiber_switch
	mov	x0, #0
	check_x	x19, 0, 0x100
	check_x	x20, 1, 0x100
	check_x	x21, 2, 0x100
	check_x	x22, 3, 0x100
	check_x	x23, 4, 0x100
	check_x	x24, 5, 0x100
	check_x	x25, 6, 0x100
	check_x	x26, 7, 0x100
	check_x	x27, 8, 0x100
	check_x	x28, 9, 0x100
	check_x	x29, 10, 0x100
	check_d	d8, 11, 0x100
	check_d	d9, 12, 0x100
	check_d	d10, 13, 0x100
	check_d	d11, 14, 0x100
	check_d	d12, 15, 0x100
	check_d	d13, 16, 0x100
	check_d	d14, 17, 0x100
	check_d	d15, 18, 0x100
	ldr	x9, [sp]
	mov	x10, sp
	cmp	x9, x10
	b.eq	2f
	orr	x0, x0, #(1 << 19)
2:	add	sp, sp, #16
	restore_all
	ret
	.size	sb_test_regs_switch, .-sb_test_regs_switch

/* void sb_test_regs_clobber(void **save, void *to): garbage in every
 * callee-saved register, then switch; the caller's values are kept. */
	.globl	sb_test_regs_clobber
	.type	sb_test_regs_clobber, %function
sb_test_regs_clobber:
	save_all
	fill	0xe00
	mov	x2, #0
	bl	sb__fiber_switch
	restore_all
	ret
	.size	sb_test_regs_clobber, .-sb_test_regs_clobber

	.section .note.GNU-stack,"",%progbits
