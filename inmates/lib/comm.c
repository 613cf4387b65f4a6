// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The cell's side of the comm region (include/brig/comm.h).
 *
 * Messages come one at a time: the hypervisor clears reply_from_cell and
 * then writes msg_to_cell; the cell clears msg_to_cell and then writes its
 * reply. cell_state is written before the reply so that the hypervisor,
 * which acts on the reply, already sees the state that goes with it. x86
 * keeps stores in program order; the compiler barriers keep the compiler
 * from reordering them.
 */
#include <inmate.h>

static volatile struct brig_comm_region *comm;
static bool (*shutdown_handler)(void);
static bool locked;

void comm_region_init(void)
{
	volatile struct brig_comm_region *c = (void *)INMATE_COMM_REGION;

	if (memcmp((const void *)c->signature, BRIG_COMM_SIGNATURE,
		   BRIG_SIGNATURE_LEN))
		return; /* not under brig: stay NULL, use the fallbacks */
	if (c->revision != BRIG_COMM_REVISION) {
		c->cell_state = BRIG_CELL_STATE_FAILED_COMM_REV;
		cpu_stop(); /* no console yet: we do not know where it is */
	}
	comm = c;
	comm->cell_state = BRIG_CELL_STATE_RUNNING;
}

volatile struct brig_comm_region *comm_region(void)
{
	return comm;
}

void comm_region_set_shutdown_handler(bool (*handler)(void))
{
	shutdown_handler = handler;
}

void comm_region_set_locked(bool lock)
{
	locked = lock;
	if (comm)
		comm->cell_state = lock ? BRIG_CELL_STATE_RUNNING_LOCKED :
					  BRIG_CELL_STATE_RUNNING;
}

static void reply(__u32 state, __u32 answer)
{
	comm->cell_state = state;
	barrier();
	comm->reply_from_cell = answer;
}

static void handle_shutdown_request(void)
{
	bool approve = !locked && (!shutdown_handler || shutdown_handler());

	if (!approve) {
		printk("comm: shutdown request denied\n");
		/* A handler's "not now" does not lock the cell for good. */
		reply(locked ? BRIG_CELL_STATE_RUNNING_LOCKED :
			       BRIG_CELL_STATE_RUNNING,
		      BRIG_REPLY_DENIED);
		return;
	}
	printk("comm: shutdown request approved, stopping\n");
	irq_disable();
	apic_timer_stop();
	reply(BRIG_CELL_STATE_SHUT_DOWN, BRIG_REPLY_APPROVED);
	cpu_stop();
}

void comm_region_poll(void)
{
	__u32 msg;

	if (!comm)
		return;
	msg = comm->msg_to_cell;
	if (msg == BRIG_MSG_NONE)
		return;
	comm->msg_to_cell = BRIG_MSG_NONE;
	barrier();
	if (msg == BRIG_MSG_SHUTDOWN_REQUEST)
		handle_shutdown_request();
	else
		reply(comm->cell_state, BRIG_REPLY_UNKNOWN_MSG);
}
