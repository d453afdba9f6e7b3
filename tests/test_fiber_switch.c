/* Unit test of runtime `fiber`'s context switch alone (switch.h), with no
 * runtime: a ping-pong that hands values through the switch, every
 * callee-saved register and the stack pointer preserved across a switch to
 * a context that clobbers them (fiber_regs_<arch>.S), the FP control state
 * (rounding, flush-to-zero) kept per context and inherited by a fresh one,
 * and a fresh context's stack aligned as the ABI wants. Built natively for
 * ctest and cross-compiled for aarch64 (fiber_aarch64.sh, run under qemu);
 * so it has its own main and needs no runtime. */
#include <fenv.h>
#include <stdalign.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "runtimes/fiber/switch.h"
#include "test.h"

#define STACK (64 * 1024)

uint64_t sb_test_regs_switch(void **save, void *to);
void sb_test_regs_clobber(void **save, void *to);

static void *main_sp;    /* the test's context while a partner runs */
static void *partner_sp; /* the partner while the test runs */

static char *stack_new(void) {
  char *s = mmap(NULL, STACK, PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  ASSERT(s != MAP_FAILED);
  return s;
}

/* ---- ping-pong: values through the switch ------------------------------ */

static uint64_t ping_data; /* what the partner got as its data pointer */

static void pong_entry(void *arg, void *data) {
  ping_data = (uint64_t)(uintptr_t)data;
  uintptr_t v = (uintptr_t)arg;
  for (;;)
    v = (uintptr_t)sb__fiber_switch(&partner_sp, main_sp, (void *)(v + 1));
}

static void test_ping_pong(void) {
  char *stack = stack_new();
  partner_sp = sb__fiber_ctx_make(stack + STACK, pong_entry, (void *)0x5eed);
  for (uintptr_t i = 0; i < 100000; i++) {
    uintptr_t got =
        (uintptr_t)sb__fiber_switch(&main_sp, partner_sp, (void *)(2 * i));
    ASSERT_EQ(got, 2 * i + 1);
  }
  ASSERT_EQ(ping_data, 0x5eed);
  munmap(stack, STACK);
}

/* ---- callee-saved registers ------------------------------------------- */

static void clobber_entry(void *arg, void *data) {
  (void)arg;
  (void)data;
  for (;;)
    sb_test_regs_clobber(&partner_sp, main_sp);
}

static void test_registers(void) {
  char *stack = stack_new();
  partner_sp = sb__fiber_ctx_make(stack + STACK, clobber_entry, NULL);
  for (int i = 0; i < 1000; i++)
    ASSERT_EQ(sb_test_regs_switch(&main_sp, partner_sp), 0);
  munmap(stack, STACK);
}

/* ---- FP control --------------------------------------------------------- */

/* The flush-to-zero control bit: MXCSR.FTZ (x86-64), FPCR.FZ (aarch64). */
static unsigned long fz_get(void) {
  unsigned long v = 0;
#if defined(__x86_64__)
  unsigned int csr;
  __asm__ volatile("stmxcsr %0" : "=m"(csr));
  v = (csr >> 15) & 1u;
#elif defined(__aarch64__)
  __asm__ volatile("mrs %0, fpcr" : "=r"(v));
  v = (v >> 24) & 1u;
#endif
  return v;
}

static void fz_set(int on) {
#if defined(__x86_64__)
  unsigned int csr;
  __asm__ volatile("stmxcsr %0" : "=m"(csr));
  csr = on ? csr | (1u << 15) : csr & ~(1u << 15);
  __asm__ volatile("ldmxcsr %0" : : "m"(csr));
#elif defined(__aarch64__)
  unsigned long v;
  __asm__ volatile("mrs %0, fpcr" : "=r"(v));
  v = on ? v | (1ul << 24) : v & ~(1ul << 24);
  __asm__ volatile("msr fpcr, %0" : : "r"(v));
#endif
}

static int fp_failures; /* checks the partner found wrong */

static void fp_entry(void *arg, void *data) {
  (void)arg;
  (void)data;
  /* A fresh context inherits its creator's control state. */
  if (fegetround() != FE_UPWARD || fz_get() != 0)
    fp_failures++;
  fesetround(FE_TOWARDZERO);
  fz_set(1);
  for (;;) {
    sb__fiber_switch(&partner_sp, main_sp, NULL);
    if (fegetround() != FE_TOWARDZERO || fz_get() != 1)
      fp_failures++;
  }
}

static void test_fp_control(void) {
  char *stack = stack_new();
  fesetround(FE_UPWARD);
  partner_sp = sb__fiber_ctx_make(stack + STACK, fp_entry, NULL);
  for (int i = 0; i < 100; i++) {
    sb__fiber_switch(&main_sp, partner_sp, NULL);
    ASSERT_EQ(fegetround(), FE_UPWARD);
    ASSERT_EQ(fz_get(), 0);
  }
  ASSERT_EQ(fp_failures, 0);
  fesetround(FE_TONEAREST);
  munmap(stack, STACK);
}

/* ---- stack alignment of a fresh context -------------------------------- */

static uintptr_t fresh_local; /* the address of an aligned local */

static void align_entry(void *arg, void *data) {
  (void)arg;
  (void)data;
  /* The compiler aligns this relative to the ABI's promise; a misaligned
   * stack shows as a misaligned address (and movaps would fault). */
  alignas(16) volatile double local[2] = {1.0, 2.0};
  fresh_local = (uintptr_t)local;
  for (;;)
    sb__fiber_switch(&partner_sp, main_sp, NULL);
}

static void test_alignment(void) {
  char *stack = stack_new();
  /* Tops at every alignment mod 16: make aligns down by itself. */
  for (int off = 0; off < 16; off++) {
    partner_sp = sb__fiber_ctx_make(stack + STACK - off, align_entry, NULL);
    sb__fiber_switch(&main_sp, partner_sp, NULL);
    ASSERT_EQ(fresh_local % 16, 0);
    ASSERT(fresh_local < (uintptr_t)(stack + STACK - off));
  }
  munmap(stack, STACK);
}

int main(void) {
  static const struct {
    const char *name;
    void (*fn)(void);
  } cases[] = {{"ping_pong", test_ping_pong},
               {"registers", test_registers},
               {"fp_control", test_fp_control},
               {"alignment", test_alignment}};
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    fprintf(stderr, "[switch] %s ...\n", cases[i].name);
    cases[i].fn();
  }
  fprintf(stderr, "[switch] %zu cases passed\n",
          sizeof cases / sizeof cases[0]);
  return 0;
}
