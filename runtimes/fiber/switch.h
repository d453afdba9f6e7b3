/* The context switch of runtime `fiber`, in assembly (switch_x86_64.S,
 * switch_aarch64.S): only the callee-saved registers, the stack pointer and
 * the floating-point control state move, never the signal mask (no system
 * call, unlike swapcontext). Self-contained: the floor rows and the aarch64
 * cross test use it without the runtime. */
#ifndef SB_FIBER_SWITCH_H
#define SB_FIBER_SWITCH_H

#include <stddef.h>

/* Saves the calling context on its own stack (callee-saved registers, FP
 * control: x86-64 MXCSR and the x87 control word; aarch64 d8-d15 and FPCR),
 * stores its stack pointer in *save, and resumes the context whose stack
 * pointer is `to`. In that context `arg` is the value its own call of
 * sb__fiber_switch returns, or, for a fresh one, the first argument of its
 * entry. Returns when some context switches back to *save. */
void *sb__fiber_switch(void **save, void *to, void *arg);

/* The entry of a fresh context: arg from the switch that started it, data
 * from sb__fiber_ctx_make. It must never return (switch away for good). */
typedef void (*sb__fiber_entry_fn)(void *arg, void *data);

/* Lays out a fresh context below hi (the stack's highest address, aligned
 * or not) that calls entry(arg, data) when first switched to, with the FP
 * control state of the caller (as a new thread inherits its creator's).
 * Returns the stack pointer to pass as `to`; it uses SB__FIBER_CTX_BYTES
 * of the stack. Never fails. */
void *sb__fiber_ctx_make(void *hi, sb__fiber_entry_fn entry, void *data);

/* Stack bytes a fresh context takes below hi (its saved frame, alignment). */
#define SB__FIBER_CTX_BYTES 256

#endif
