// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * ivshmem: ping-pong between two cells over an ivshmem channel, in the
 * protocol of include/brig/ivshmem-demo.h. Both cells run this demo; the
 * device tells each which peer it is.
 *
 * Peer 0 waits until peer 1 is ready (state 1), then sends count messages
 * one at a time, each answered by peer 1 before the next goes, and checks
 * every answer; peer 1 checks every message and answers it. Both report,
 * then stay, watching the state table: when peer 1 leaves and comes back
 * (its cell destroyed and created again), peer 0 runs another round. A
 * peer above 1 only watches.
 *
 * Command line:
 *   count=N      messages per round, sent by peer 0 (default 10000)
 *   size=B       payload bytes per message (default 64, at most the
 *                output section minus the 16-byte header)
 *   attack=NAME  a hostile test before the run: other-output,
 *                state-table, msix-foreign (the cell must be stopped),
 *                doorbell-missing, own-output (it must survive)
 *
 * Interrupts: MSI-X vector 0 (state changes) and 1 (messages) arrive on
 * this CPU, the APIC timer ticks every 10 ms. Handlers only count and
 * acknowledge; the main code checks the shared memory with interrupts off
 * and sleeps with STI; HLT (see wait_for()). The tick bounds each sleep,
 * so the comm region is answered in time whatever the peer does.
 */
#include <inmate.h>

#include <brig/ivshmem-demo.h>

#define TICK_IDT_VECTOR 0x30
#define STATE_IDT_VECTOR 0x40
#define MSG_IDT_VECTOR 0x41
#define TICK_NS 10000000ULL /* shutdown timeouts are ~1 s by default */
#define MAX_REPORTED 5 /* mismatches printed per round */

#define SENDER 0
#define ANSWERER 1
#define READY BRIG_IVSHMEM_DEMO_STATE_READY

struct round {
	__u32 done; /* messages answered (sender: answers received) */
	__u32 errors; /* messages with any mismatch */
	__u32 reported; /* mismatches printed */
	__u32 irqs[3]; /* interrupts at the start, by enum wake */
	__u32 tick_waits; /* waits the tick ended, at the start */
	__u64 start; /* TSC */
};

enum wake { WAKE_STATE, WAKE_MSG, WAKE_TICK };

static struct ivshmem dev;
static unsigned int msg_vector; /* the device's vector for messages */
static __u32 count, size, max_len;

/* Our output section, and the section we read: the other party's. */
static volatile struct brig_ivshmem_demo_msg *out, *in;
static __u8 *out_payload;
static const __u8 *in_payload;

static volatile __u32 irqs[3]; /* by enum wake, counted by the handler */
static volatile enum wake last_wake;
static __u32 tick_waits; /* waits that ended with a tick, not a doorbell */
static struct round round;

/* The state table as last reported, to see changes. */
static __u32 seen[BRIG_IVSHMEM_MAX_PEERS];
static unsigned int watched; /* entries of seen[] in use */

static void wake(unsigned int vector)
{
	enum wake w = WAKE_TICK;

	if (vector == STATE_IDT_VECTOR)
		w = WAKE_STATE;
	else if (vector == MSG_IDT_VECTOR)
		w = WAKE_MSG;
	irqs[w]++;
	last_wake = w;
	apic_eoi();
}

/* Prints every state the table shows that we have not reported yet. */
static void watch_states(void)
{
	unsigned int p;
	__u32 s;

	for (p = 0; p < watched; p++) {
		s = ivshmem_peer_state(&dev, p);
		if (p == dev.id || s == seen[p])
			continue;
		printk("ivshmem: peer %u state %u\n", p, s);
		if (!s)
			printk("ivshmem: peer %u left\n", p);
		seen[p] = s;
	}
}

/*
 * Sleeps until done() holds. done() is checked with interrupts off and
 * STI's one-instruction shadow covers the HLT: an interrupt that makes it
 * true after the check stays pending until then and ends the HLT, so no
 * wakeup is lost. The comm region and the state table are looked at on
 * every wakeup. A wait the tick rather than an interrupt of the device
 * ended is counted: lost doorbells would show there.
 */
static void wait_for(bool (*done)(void))
{
	bool slept = false;

	for (;;) {
		irq_disable();
		comm_region_poll();
		watch_states();
		if (done())
			break;
		irq_enable_and_halt();
		slept = true;
	}
	if (slept && last_wake == WAKE_TICK)
		tick_waits++;
	irq_enable();
}

static bool ready(unsigned int peer)
{
	return seen[peer] == READY;
}

static void round_begin(void)
{
	unsigned int i;

	memset(&round, 0, sizeof(round));
	for (i = 0; i < ARRAY_SIZE(round.irqs); i++)
		round.irqs[i] = irqs[i];
	round.tick_waits = tick_waits;
	round.start = rdtsc();
}

static void report_interrupts(void)
{
	printk("ivshmem: interrupts: %u message, %u state, %u timer (%u waits "
	       "ended by the timer)\n",
	       irqs[WAKE_MSG] - round.irqs[WAKE_MSG],
	       irqs[WAKE_STATE] - round.irqs[WAKE_STATE],
	       irqs[WAKE_TICK] - round.irqs[WAKE_TICK],
	       tick_waits - round.tick_waits);
}

/* The first few mismatches of a round are printed, the rest counted. */
static __printf(1, 2) void mismatch(const char *fmt, ...)
{
	va_list ap;

	if (round.reported++ >= MAX_REPORTED)
		return;
	va_start(ap, fmt);
	vprintk(fmt, ap);
	va_end(ap);
}

static __u32 fnv(const __u8 *p, __u32 len)
{
	__u32 hash = BRIG_IVSHMEM_DEMO_FNV_INIT, i;

	for (i = 0; i < len; i++)
		hash = brig_ivshmem_demo_fnv(hash, p[i]);
	return hash;
}

/* Publishes the message in our output section: header, then seq. */
static void publish(__u32 seq, __u32 len, __u32 last, unsigned int to)
{
	out->len = len;
	out->checksum = fnv(out_payload, len);
	out->last = last;
	wmb(); /* the peer takes seq as the sign that the rest is there */
	out->seq = seq;
	ivshmem_ring(&dev, to, msg_vector);
}

/*
 * Reads len payload bytes of message seq from the other party and
 * compares each with the stream of seq (as peer 1 answers it, on peer 0).
 * Peer 1 writes its answer to our output section on the way. Returns the
 * checksum of the bytes read; *bad when one differed.
 */
static __u32 read_payload(__u32 seq, __u32 len, bool *bad)
{
	struct brig_ivshmem_demo_stream s;
	__u32 hash = BRIG_IVSHMEM_DEMO_FNV_INIT, i;
	__u8 want, got;

	brig_ivshmem_demo_stream_init(&s, seq);
	for (i = 0; i < len; i++) {
		want = brig_ivshmem_demo_stream_byte(&s);
		got = in_payload[i];
		if (dev.id == SENDER)
			want = BRIG_IVSHMEM_DEMO_REPLY(want);
		else
			out_payload[i] = BRIG_IVSHMEM_DEMO_REPLY(got);
		if (got != want) {
			*bad = true;
			mismatch("ivshmem: seq %u offset %u: expected 0x%02x, "
				 "got 0x%02x\n",
				 seq, i, want, got);
		}
		hash = brig_ivshmem_demo_fnv(hash, got);
	}
	return hash;
}

/*
 * Checks the message in our input section, seq already seen there; the
 * header is read after seq (rmb()), as the sender wrote it before. Peer 0
 * wants its own length back, peer 1 takes any that fits. Returns the
 * payload length to answer with.
 */
static __u32 check_message(__u32 seq)
{
	bool sender = dev.id == SENDER, bad = false;
	__u32 len, sum, hash;

	rmb();
	len = in->len;
	sum = in->checksum;
	if (sender ? len != size : len > max_len) {
		mismatch("ivshmem: seq %u length: expected %s%u, got %u\n", seq,
			 sender ? "" : "at most ", sender ? size : max_len,
			 len);
		bad = true;
		if (len > max_len)
			len = max_len;
	}
	hash = read_payload(seq, len, &bad);
	if (hash != sum) {
		mismatch("ivshmem: seq %u checksum: expected 0x%08x, got "
			 "0x%08x\n",
			 seq, sum, hash);
		bad = true;
	}
	round.errors += bad;
	return len;
}

/* --- peer 0: sends ------------------------------------------------------ */

static __u32 awaited; /* the seq whose answer peer 0 waits for */

static bool answerer_ready(void)
{
	return ready(ANSWERER);
}

static bool answerer_gone(void)
{
	return !ready(ANSWERER);
}

static bool answered_or_gone(void)
{
	return in->seq == awaited || !ready(ANSWERER);
}

static void send(__u32 seq, __u32 last)
{
	struct brig_ivshmem_demo_stream s;
	__u32 i;

	brig_ivshmem_demo_stream_init(&s, seq);
	for (i = 0; i < size; i++)
		out_payload[i] = brig_ivshmem_demo_stream_byte(&s);
	publish(seq, size, last, ANSWERER);
}

/*
 * After every seq either section shows, so that nothing left there by a
 * peer that went away passes for an answer (ivshmem-demo.h).
 */
static __u32 first_seq(void)
{
	__u32 base = out->seq > in->seq ? out->seq : in->seq;

	return base > 0xffffffffU - count ? 1 : base + 1;
}

static __u64 per_second(__u64 n, __u64 tsc)
{
	__u64 ns = tsc_to_ns(tsc);

	return ns ? n * 1000000000ULL / ns : 0;
}

static void ping_pong(void)
{
	__u32 seq = first_seq(), last = seq + count - 1;

	round_begin();
	printk("ivshmem: sending %u messages of %u bytes, seq %u to %u\n",
	       count, size, seq, last);
	for (; round.done < count; seq++) {
		send(seq, last);
		awaited = seq;
		wait_for(answered_or_gone);
		if (in->seq != seq)
			break; /* peer 1 left before answering */
		check_message(seq);
		round.done++;
	}
	if (round.done < count)
		printk("ivshmem: round stopped after %u of %u round trips: "
		       "peer %u left\n",
		       round.done, count, ANSWERER);
	printk("ivshmem: %u round trips, every payload checked, %u errors\n",
	       round.done, round.errors);
	printk("ivshmem: %llu round trips per second (emulated time)\n",
	       per_second(round.done, rdtsc() - round.start));
	report_interrupts();
}

static __noreturn void send_forever(void)
{
	for (;;) {
		wait_for(answerer_ready);
		ping_pong();
		wait_for(answerer_gone);
	}
}

/* --- peer 1: answers ---------------------------------------------------- */

static __u32 last_answered; /* seq of our last answer */

static bool message_pending(void)
{
	__u32 seq = in->seq;

	return seq && seq != last_answered;
}

/* A message, or the end of a round the sender left in the middle. */
static bool message_or_gone(void)
{
	return message_pending() || (round.done && !ready(SENDER));
}

/* Returns whether it was the last message of the round. */
static bool answer(void)
{
	__u32 seq = in->seq, last, len;

	len = check_message(seq);
	last = in->last;
	publish(seq, len, last, SENDER);
	last_answered = seq;
	round.done++;
	return seq == last;
}

static __noreturn void answer_forever(void)
{
	round_begin();
	for (;;) {
		wait_for(message_or_gone);
		if (message_pending() && !answer())
			continue;
		printk("ivshmem: answered %u messages, every payload checked, "
		       "%u errors\n",
		       round.done, round.errors);
		report_interrupts();
		round_begin();
	}
}

static bool never(void)
{
	return false;
}

/* --- attacks ------------------------------------------------------------ */

static unsigned int other_peer(void)
{
	return dev.id == SENDER ? ANSWERER : SENDER;
}

static void write_last_word(unsigned int peer)
{
	__u8 *section = ivshmem_output_section(&dev, peer);

	*(volatile __u32 *)(section + dev.out_size - 4) = 0x0badbad0;
}

static void attack_other_output(void)
{
	write_last_word(other_peer());
}

static void attack_own_output(void)
{
	write_last_word(dev.id);
}

static void attack_state_table(void)
{
	ivshmem_state_table(&dev)[dev.id] = 0xbad;
}

/* Vector 1 aimed at a CPU that is not ours: 0, or 1 if we are 0. */
static void attack_msix_foreign(void)
{
	__u32 own = apic_id(), dest = own ? 0 : 1;

	printk("ivshmem: MSI-X vector %u to APIC id %u (this CPU: %u)\n",
	       msg_vector, dest, own);
	pci_msix_set_vector(dev.bdf, dev.msix_table, msg_vector, MSG_IDT_VECTOR,
			    dest);
	pci_msix_set_function_mask(dev.bdf, false);
	/* Still here: take the vector back for the run. */
	ivshmem_set_vector(&dev, msg_vector, MSG_IDT_VECTOR);
}

static void ring_nowhere(unsigned int peer, unsigned int vector)
{
	printk("ivshmem: doorbell to peer %u vector %u (must be dropped)\n",
	       peer, vector);
	ivshmem_ring(&dev, peer, vector);
}

/* A peer that is not there, vectors that are not programmed. */
static void attack_doorbell_missing(void)
{
	ring_nowhere(dev.max_peers + 3, msg_vector);
	ring_nowhere(other_peer(), 15);
	if (dev.vectors > 2 && dev.vectors - 1 != 15)
		ring_nowhere(other_peer(), dev.vectors - 1);
}

static const struct {
	const char *name;
	void (*run)(void);
} attacks[] = {
	{ "other-output", attack_other_output },
	{ "state-table", attack_state_table },
	{ "msix-foreign", attack_msix_foreign },
	{ "doorbell-missing", attack_doorbell_missing },
	{ "own-output", attack_own_output },
};

static void maybe_attack(void)
{
	char name[24];
	unsigned int i;

	cmdline_parse_str("attack", name, sizeof(name), "");
	if (!name[0])
		return;
	for (i = 0; i < ARRAY_SIZE(attacks); i++) {
		if (strcmp(name, attacks[i].name))
			continue;
		printk("ivshmem: attack %s\n", name);
		attacks[i].run();
		printk("ivshmem: attack %s survived\n", name);
		return;
	}
	printk("ivshmem: unknown attack %s, running normally\n", name);
}

/* --- set-up ------------------------------------------------------------- */

static int find_channel(void)
{
	if (ivshmem_find(0, &dev))
		return -1;
	printk("ivshmem: peer %u of %u, memory at 0x%llx, rw 0x%llx bytes, "
	       "output 0x%llx bytes, vectors %u, protocol 0x%04x\n",
	       dev.id, dev.max_peers, dev.shmem, dev.rw_size, dev.out_size,
	       dev.vectors, dev.protocol);
	printk("ivshmem: device %02x:%02x.%x, registers at 0x%llx, MSI-X "
	       "table at 0x%llx\n",
	       PCI_BUS(dev.bdf), PCI_DEV(dev.bdf), PCI_FN(dev.bdf), dev.regs,
	       dev.msix_table);
	if (dev.protocol != BRIG_IVSHMEM_PROTO_DEMO)
		printk("ivshmem: protocol 0x%04x is not the demo's (0x%04x), "
		       "going on\n",
		       dev.protocol, BRIG_IVSHMEM_PROTO_DEMO);
	if (dev.max_peers < 2 || dev.out_size < sizeof(*out)) {
		printk("ivshmem: the demo needs two peers and output sections "
		       "of at least %u bytes\n",
		       (unsigned int)sizeof(*out));
		return -1;
	}
	return 0;
}

static void read_cmdline(void)
{
	long long n = cmdline_parse_int("count", 10000);
	long long bytes = cmdline_parse_int("size", 64);

	/* out_size is below 4 GiB: ivshmem_find() checked it is mapped. */
	max_len = (__u32)(dev.out_size - sizeof(*out));
	count = n < 1 ? 1 : n > 0x7fffffff ? 0x7fffffff : (__u32)n;
	size = bytes < 0 ? 0 : (__u32)(bytes > max_len ? max_len : bytes);
	if (bytes != size)
		printk("ivshmem: size=%lld out of range, using %u\n", bytes,
		       size);
}

static void map_sections(void)
{
	unsigned int from = dev.id == SENDER ? ANSWERER : SENDER;
	__u8 *mine = ivshmem_output_section(&dev, dev.id);
	__u8 *theirs = ivshmem_output_section(&dev, from);

	out = (volatile struct brig_ivshmem_demo_msg *)mine;
	in = (volatile struct brig_ivshmem_demo_msg *)theirs;
	out_payload = mine + sizeof(*out);
	in_payload = theirs + sizeof(*in);
	watched = dev.max_peers < BRIG_IVSHMEM_MAX_PEERS ?
			  dev.max_peers :
			  BRIG_IVSHMEM_MAX_PEERS;
}

/* Vector 0 for state changes, 1 for messages (0 too on a 1-vector device). */
static int set_up_interrupts(void)
{
	msg_vector = dev.vectors > 1 ? BRIG_IVSHMEM_DEMO_VECTOR_MSG :
				       BRIG_IVSHMEM_DEMO_VECTOR_STATE;
	irq_register(STATE_IDT_VECTOR, wake);
	irq_register(MSG_IDT_VECTOR, wake);
	irq_register(TICK_IDT_VECTOR, wake);
	if (ivshmem_set_vector(&dev, BRIG_IVSHMEM_DEMO_VECTOR_STATE,
			       STATE_IDT_VECTOR) ||
	    (msg_vector &&
	     ivshmem_set_vector(&dev, msg_vector, MSG_IDT_VECTOR))) {
		printk("ivshmem: cannot program MSI-X to APIC id %u\n",
		       apic_id());
		return -1;
	}
	apic_timer_init(TICK_IDT_VECTOR);
	apic_timer_periodic(TICK_NS);
	irq_enable();
	ivshmem_enable_interrupts(&dev, true);
	return 0;
}

void inmate_main(void)
{
	printk("\nivshmem: ping-pong over an ivshmem channel\n");
	if (find_channel())
		return;
	read_cmdline();
	map_sections();
	if (set_up_interrupts())
		return;
	/* Whatever peer 0's section holds was sent before we came. */
	last_answered = in->seq;
	ivshmem_set_state(&dev, READY);
	maybe_attack();

	if (dev.id == SENDER)
		send_forever();
	if (dev.id == ANSWERER)
		answer_forever();
	printk("ivshmem: peer %u takes no part in the ping-pong, watching\n",
	       dev.id);
	for (;;)
		wait_for(never);
}
