// SPDX-License-Identifier: GPL-2.0
/*
 * Tries to create a KVM virtual machine and says whether that worked:
 * exit 0 and "created" if it did, exit 1 and the error if not. While brig
 * holds the CPUs' virtualization extension, a KVM that loaded anyway (6.1
 * enables AMD-V only when the first VM is created) must fail here.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int main(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int vm;

	if (kvm < 0) {
		printf("no /dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		printf("refused: %s\n", strerror(errno));
		return 1;
	}
	printf("created\n");
	close(vm);
	close(kvm);
	return 0;
}
