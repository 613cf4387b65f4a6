// SPDX-License-Identifier: GPL-2.0
/*
 * The MMIO instruction decoder: lengths, sizes, registers and values of
 * the MOV forms compilers emit for device accesses, and refusal of
 * everything else.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <arch/mmio.h>
#include <arch/percpu-types.h>

static u64 regs[16];
static struct x86_gprs gprs;

static int setup(void **state)
{
	(void)state;
	for (unsigned int i = 0; i < 16; i++) {
		regs[i] = 0x1111111111111111ULL * (i + 1);
		gprs.reg[i] = &regs[i];
	}
	return 0;
}

static struct x86_mmio_access decode(const u8 *bytes, unsigned int len,
				     bool expect_ok)
{
	struct x86_mmio_access acc;

	memset(&acc, 0, sizeof(acc));
	assert_int_equal(x86_decode_insn(bytes, len, &gprs, &acc), expect_ok);
	return acc;
}

static void test_loads(void **state)
{
	/* mov (%rdi),%eax */
	const u8 i1[] = { 0x8b, 0x07 };
	/* mov 0x10(%rbx),%r9 (REX.WR) */
	const u8 i2[] = { 0x4c, 0x8b, 0x4b, 0x10 };
	/* movzbl (%rsi),%ecx */
	const u8 i3[] = { 0x0f, 0xb6, 0x0e };
	/* movswq 0x12345678(%rax,%rbx,4),%rdx: SIB + disp32 */
	const u8 i4[] = { 0x48, 0x0f, 0xbf, 0x94, 0x98, 0x78, 0x56, 0x34, 0x12 };
	/* mov 0x100(%rip),%ax with 66 prefix */
	const u8 i5[] = { 0x66, 0x8b, 0x05, 0x00, 0x01, 0x00, 0x00 };
	struct x86_mmio_access a;

	(void)state;
	a = decode(i1, sizeof(i1), true);
	assert_int_equal(a.inst_len, 2);
	assert_int_equal(a.size, 4);
	assert_int_equal(a.reg, 0);
	assert_false(a.is_write);
	a = decode(i2, sizeof(i2), true);
	assert_int_equal(a.inst_len, 4);
	assert_int_equal(a.size, 8);
	assert_int_equal(a.reg, 9);
	a = decode(i3, sizeof(i3), true);
	assert_int_equal(a.inst_len, 3);
	assert_int_equal(a.size, 1);
	assert_int_equal(a.dest_size, 4);
	assert_int_equal(a.reg, 1);
	a = decode(i4, sizeof(i4), true);
	assert_int_equal(a.inst_len, 9);
	assert_int_equal(a.size, 2);
	assert_int_equal(a.dest_size, 8);
	assert_true(a.sign_extend);
	assert_int_equal(a.reg, 2);
	a = decode(i5, sizeof(i5), true);
	assert_int_equal(a.inst_len, 7);
	assert_int_equal(a.size, 2);
}

static void test_stores(void **state)
{
	/* mov %ebx,(%rcx) */
	const u8 s1[] = { 0x89, 0x19 };
	/* mov %ah,(%rdx): byte register 4 without REX is AH */
	const u8 s2[] = { 0x88, 0x22 };
	/* movl $0xdeadbeef,0x8(%rdi) */
	const u8 s3[] = { 0xc7, 0x47, 0x08, 0xef, 0xbe, 0xad, 0xde };
	/* movq $-1,(%rax): imm32 sign-extended */
	const u8 s4[] = { 0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff };
	/* mov %sil,(%rdi): REX makes register 6 SIL */
	const u8 s5[] = { 0x40, 0x88, 0x37 };
	struct x86_mmio_access a;

	(void)state;
	a = decode(s1, sizeof(s1), true);
	assert_true(a.is_write);
	assert_int_equal(a.value, regs[3] & 0xffffffff);
	a = decode(s2, sizeof(s2), true);
	assert_int_equal(a.size, 1);
	assert_int_equal(a.value, (regs[0] >> 8) & 0xff);
	a = decode(s3, sizeof(s3), true);
	assert_int_equal(a.inst_len, 7);
	assert_int_equal(a.value, 0xdeadbeef);
	a = decode(s4, sizeof(s4), true);
	assert_int_equal(a.size, 8);
	assert_int_equal(a.value, ~0ULL);
	a = decode(s5, sizeof(s5), true);
	assert_int_equal(a.value, regs[6] & 0xff);
}

static void test_refused(void **state)
{
	const u8 rep_movs[] = { 0xf3, 0xa5 };
	const u8 lock_add[] = { 0xf0, 0x01, 0x07 };
	const u8 add_mem[] = { 0x01, 0x07 };
	const u8 reg_reg[] = { 0x89, 0xc0 }; /* mov %eax,%eax */
	const u8 truncated[] = { 0x8b, 0x87, 0x00 }; /* disp32 cut short */
	const u8 sse[] = { 0x0f, 0x10, 0x07 }; /* movups */

	(void)state;
	decode(rep_movs, sizeof(rep_movs), false);
	decode(lock_add, sizeof(lock_add), false);
	decode(add_mem, sizeof(add_mem), false);
	decode(reg_reg, sizeof(reg_reg), false);
	decode(truncated, sizeof(truncated), false);
	decode(sse, sizeof(sse), false);
}

static void test_complete_read(void **state)
{
	/* movsbl (%rdi),%ecx, then the value 0x80 arrives */
	const u8 movsx[] = { 0x0f, 0xbe, 0x0f };
	/* mov (%rdi),%cx keeps the upper bits of RCX */
	const u8 mov16[] = { 0x66, 0x8b, 0x0f };
	/* mov (%rdi),%bh */
	const u8 mov_bh[] = { 0x8a, 0x3f };
	struct x86_mmio_access a;

	(void)state;
	a = decode(movsx, sizeof(movsx), true);
	x86_mmio_complete_read(&gprs, &a, 0x80);
	assert_int_equal(regs[1], 0xffffff80); /* 32-bit result: upper clear */
	setup(NULL);
	a = decode(mov16, sizeof(mov16), true);
	x86_mmio_complete_read(&gprs, &a, ~0ULL);
	assert_int_equal(regs[1], 0x222222222222ffffULL);
	setup(NULL);
	a = decode(mov_bh, sizeof(mov_bh), true);
	x86_mmio_complete_read(&gprs, &a, 0xab);
	assert_int_equal(regs[3], 0x444444444444ab44ULL);
}

/*
 * The hang this is for: one instruction faulting on one address at every
 * exit, for ever. Reported at the first, quiet after, stopped at the limit.
 */
static void test_repeat_stops(void **state)
{
	struct x86_fault_repeat r = { 0 };
	u64 exits = 1000;

	(void)state;
	assert_int_equal(x86_fault_repeat(&r, 0x40006afd, 0x3a14b000, exits),
			 X86_REPEAT_REPORT);
	for (unsigned int n = 2; n < X86_REPEAT_LIMIT; n++)
		assert_int_equal(x86_fault_repeat(&r, 0x40006afd, 0x3a14b000,
						  ++exits),
				 X86_REPEAT_QUIET);
	assert_int_equal(x86_fault_repeat(&r, 0x40006afd, 0x3a14b000, ++exits),
			 X86_REPEAT_STOP);
	/* After the stop a new series begins, reported again. */
	assert_int_equal(x86_fault_repeat(&r, 0x40006afd, 0x3a14b000, ++exits),
			 X86_REPEAT_REPORT);
}

/* A few other exits between two (NMIs, a timer) still make a series. */
static void test_repeat_window(void **state)
{
	struct x86_fault_repeat r = { 0 };
	u64 exits = 5;

	(void)state;
	assert_int_equal(x86_fault_repeat(&r, 0x1000, 0xfed00000, exits),
			 X86_REPEAT_REPORT);
	for (unsigned int n = 2; n < X86_REPEAT_LIMIT; n++) {
		exits += X86_REPEAT_WINDOW;
		assert_int_equal(x86_fault_repeat(&r, 0x1000, 0xfed00000,
						  exits),
				 X86_REPEAT_QUIET);
	}
	exits += X86_REPEAT_WINDOW;
	assert_int_equal(x86_fault_repeat(&r, 0x1000, 0xfed00000, exits),
			 X86_REPEAT_STOP);
}

/*
 * Progress in between starts afresh: a gap of more than the window, or
 * another instruction or address. A root that fails now and then, even
 * at one place, is reported each time and never stopped.
 */
static void test_repeat_progress(void **state)
{
	struct x86_fault_repeat r = { 0 };
	u64 exits = 0;

	(void)state;
	for (unsigned int n = 0; n < 4 * X86_REPEAT_LIMIT; n++) {
		exits += X86_REPEAT_WINDOW + 1;
		assert_int_equal(x86_fault_repeat(&r, 0x2000, 0xfee00000,
						  exits),
				 X86_REPEAT_REPORT);
	}
	for (unsigned int n = 0; n < 4 * X86_REPEAT_LIMIT; n++) {
		assert_int_equal(x86_fault_repeat(&r, 0x3000 + n % 2,
						  0xfee00000, ++exits),
				 X86_REPEAT_REPORT);
		assert_int_equal(x86_fault_repeat(&r, 0x3000 + n % 2,
						  0xfee00000 + 8, ++exits),
				 X86_REPEAT_REPORT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_loads, setup),
		cmocka_unit_test_setup(test_stores, setup),
		cmocka_unit_test_setup(test_refused, setup),
		cmocka_unit_test_setup(test_complete_read, setup),
		cmocka_unit_test(test_repeat_stops),
		cmocka_unit_test(test_repeat_window),
		cmocka_unit_test(test_repeat_progress),
	};

	return cmocka_run_group_tests_name("decode", tests, NULL, NULL);
}
