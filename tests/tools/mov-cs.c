// SPDX-License-Identifier: GPL-2.0
/*
 * mov-cs: does this CPU carry out MOV CS? The instruction (8E /1) does not
 * exist: every x86 CPU raises #UD at it. QEMU's TCG decoder from 9.1 on
 * loads CS instead, until "target/i386/tcg: validate segment registers"
 * (QEMU issue 3195): a user process then runs with a CS no CPU allows, and
 * with a selector of RPL 0 Linux misreads the interrupted mode at the next
 * exception and oopses (stress-ng's opcode stressor finds this at random).
 *
 * A child executes MOV CS, AX with AX = 0x2b (the user data segment, RPL 3:
 * harmless either way) followed by UD2; its SIGILL handler tells which of
 * the two raised #UD. Exit status 0: #UD at MOV CS, as on hardware;
 * 1: MOV CS was carried out; 2: neither (printed).
 */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

extern const char movcs_insn[];

static void on_sigill(int sig, siginfo_t *si, void *ctx)
{
	const ucontext_t *uc = ctx;
	unsigned long rip = uc->uc_mcontext.gregs[REG_RIP];

	(void)sig;
	(void)si;
	_exit(rip == (unsigned long)movcs_insn ? 10 : 11);
}

static void child(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sigill;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGILL, &sa, NULL);
	asm volatile("mov $0x2b, %%eax\n\t"
		     ".globl movcs_insn\n"
		     "movcs_insn:\n\t"
		     ".byte 0x8e, 0xc8\n\t" /* mov %ax, %cs */
		     "ud2"
		     :
		     :
		     : "rax", "memory");
	_exit(12);
}

int main(void)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		perror("mov-cs: fork");
		return 2;
	}
	if (pid == 0)
		child();
	if (waitpid(pid, &status, 0) < 0) {
		perror("mov-cs: waitpid");
		return 2;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 10) {
		printf("mov-cs: MOV CS raised #UD, as on hardware\n");
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 11) {
		printf("mov-cs: MOV CS was carried out: this CPU lets a user process load CS\n");
		return 1;
	}
	printf("mov-cs: the child ended with status %#x, neither at MOV CS nor after it\n",
	       status);
	return 2;
}
