// SPDX-License-Identifier: GPL-2.0
/*
 * edudma: make QEMU's edu device (1234:11e8) DMA between its 4 KiB buffer
 * and an arbitrary physical address, and print what happened. The tests
 * load it in the root cell to prove that a root-cell device cannot reach a
 * cell's memory or the hypervisor region once brig runs (and, in the
 * control run without brig, that the same DMA does land, so the test can
 * fail).
 *
 *   insmod edudma.ko phys=0x3a000000 op=to-ram pattern=0x... len=4096
 *       the device writes len bytes of pattern to phys
 *   insmod edudma.ko phys=0x3a000000 op=from-ram
 *       the device reads len bytes at phys into its buffer; the module
 *       fetches them back and prints the first word
 *
 * The pattern is put into the device buffer by a first DMA from a coherent
 * buffer, through the DMA API. The transfer to or from phys deliberately
 * bypasses the DMA API: phys goes to the device unmapped, as a bus
 * address, which equals the physical address only because Linux must not
 * use the IOMMU for DMA translation under brig (intel_iommu=off,
 * amd_iommu=off). That is the point of the test: the IOMMU, programmed by
 * the hypervisor, must block it. QEMU needs edu's dma_mask widened
 * (-device edu,dma_mask=0xffffffffffff), or it cuts the address to 28
 * bits.
 *
 * One line goes to the kernel log, "edudma: dma to PHYS done, status ..."
 * (or "from", or "timed out"). The device is released again at the end
 * of the load; the module can be removed right after.
 */
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/pci.h>

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8

#define EDU_IRQ_STATUS 0x24
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_RUN 0x1 /* start; reads 1 while busy */
#define EDU_DMA_TO_RAM 0x2 /* direction: 0 RAM to device, 1 device to RAM */

#define EDU_BUF 0x40000 /* the device's own buffer, device address */
#define EDU_BUF_SIZE 4096
/* edu starts a transfer 100 ms of QEMU's virtual time after the command. */
#define EDU_DMA_TIMEOUT_MS 2000

static unsigned long long phys = 0x3a000000;
module_param(phys, ullong, 0444);
MODULE_PARM_DESC(phys, "host-physical address the device reads or writes");
static char *op = "to-ram";
module_param(op, charp, 0444);
MODULE_PARM_DESC(op, "to-ram: device writes phys; from-ram: device reads it");
static unsigned int len = EDU_BUF_SIZE;
module_param(len, uint, 0444);
MODULE_PARM_DESC(len, "bytes, 8..4096, a multiple of 8");
static unsigned long long pattern = 0x6564756470617474ULL; /* "ttapdude" */
module_param(pattern, ullong, 0444);
MODULE_PARM_DESC(pattern, "64-bit word repeated in the device buffer");

struct edu {
	struct pci_dev *pdev;
	void __iomem *regs;
	u64 *buf; /* coherent, EDU_BUF_SIZE bytes */
	dma_addr_t buf_dma;
};

/* One transfer of len bytes; waits until the engine is idle. */
static int edu_dma(struct edu *edu, u64 src, u64 dst, u32 dir)
{
	unsigned long deadline = jiffies + msecs_to_jiffies(EDU_DMA_TIMEOUT_MS);

	writeq(src, edu->regs + EDU_DMA_SRC);
	writeq(dst, edu->regs + EDU_DMA_DST);
	writeq(len, edu->regs + EDU_DMA_COUNT);
	writeq(EDU_DMA_RUN | dir, edu->regs + EDU_DMA_CMD);
	while (readl(edu->regs + EDU_DMA_CMD) & EDU_DMA_RUN) {
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		msleep(5);
	}
	return 0;
}

static void edu_report(struct edu *edu, const char *dir, int ret)
{
	pr_info("edudma: dma %s %#llx %s, status cmd=%#x irq=%#x, %u bytes, pattern %016llx\n",
		dir, phys, ret ? "timed out" : "done",
		readl(edu->regs + EDU_DMA_CMD),
		readl(edu->regs + EDU_IRQ_STATUS), len, pattern);
}

/* The device's buffer gets the pattern, through the DMA API. */
static int edu_fill(struct edu *edu)
{
	unsigned int i;
	int ret;

	for (i = 0; i < EDU_BUF_SIZE / sizeof(u64); i++)
		edu->buf[i] = pattern;
	wmb(); /* the pattern is in memory before the device reads it */
	ret = edu_dma(edu, edu->buf_dma, EDU_BUF, 0);
	if (ret)
		pr_err("edudma: filling the device buffer timed out\n");
	return ret;
}

/* Deliberately not DMA API addresses from here: see the top of the file. */
static int edu_to_ram(struct edu *edu)
{
	int ret = edu_fill(edu);

	if (ret)
		return ret;
	edu_report(edu, "to", edu_dma(edu, EDU_BUF, phys, EDU_DMA_TO_RAM));
	return 0;
}

/*
 * phys is read into the pattern-filled device buffer, which is copied
 * back to the coherent buffer: its first word shows whether the read
 * reached phys.
 */
static int edu_from_ram(struct edu *edu)
{
	int ret = edu_fill(edu);

	if (ret)
		return ret;
	ret = edu_dma(edu, phys, EDU_BUF, 0);
	edu_report(edu, "from", ret);
	if (ret)
		return 0;
	memset(edu->buf, 0, EDU_BUF_SIZE);
	wmb();
	if (edu_dma(edu, EDU_BUF, edu->buf_dma, EDU_DMA_TO_RAM)) {
		pr_err("edudma: reading the device buffer back timed out\n");
		return 0;
	}
	rmb();
	pr_info("edudma: read %#llx = %016llx (%s the pattern)\n", phys,
		edu->buf[0], edu->buf[0] == pattern ? "still" : "not");
	return 0;
}

static int edu_run(struct edu *edu)
{
	return strcmp(op, "from-ram") ? edu_to_ram(edu) : edu_from_ram(edu);
}

/* Enables the device, runs the operation, releases everything again. */
static int edu_open_and_run(struct pci_dev *pdev)
{
	struct edu edu = { .pdev = pdev };
	int ret;

	ret = pci_enable_device(pdev);
	if (ret)
		return ret;
	ret = pci_request_region(pdev, 0, "edudma");
	if (ret)
		goto out_disable;
	pci_set_master(pdev);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto out_release;
	edu.regs = pci_iomap(pdev, 0, 0);
	if (!edu.regs) {
		ret = -ENOMEM;
		goto out_release;
	}
	edu.buf = dma_alloc_coherent(&pdev->dev, EDU_BUF_SIZE, &edu.buf_dma,
				     GFP_KERNEL);
	if (!edu.buf) {
		ret = -ENOMEM;
		goto out_unmap;
	}
	ret = edu_run(&edu);
	dma_free_coherent(&pdev->dev, EDU_BUF_SIZE, edu.buf, edu.buf_dma);
out_unmap:
	pci_iounmap(pdev, edu.regs);
out_release:
	pci_clear_master(pdev);
	pci_release_region(pdev, 0);
out_disable:
	pci_disable_device(pdev);
	return ret;
}

static int __init edudma_init(void)
{
	struct pci_dev *pdev;
	int ret;

	if (len < 8 || len > EDU_BUF_SIZE || len % 8 ||
	    (strcmp(op, "to-ram") && strcmp(op, "from-ram"))) {
		pr_err("edudma: want op=to-ram|from-ram and len=8..%u, a multiple of 8\n",
		       EDU_BUF_SIZE);
		return -EINVAL;
	}
	pdev = pci_get_device(EDU_VENDOR, EDU_DEVICE, NULL);
	if (!pdev) {
		pr_err("edudma: no edu device (%04x:%04x)\n", EDU_VENDOR,
		       EDU_DEVICE);
		return -ENODEV;
	}
	pr_info("edudma: using %s\n", pci_name(pdev));
	ret = edu_open_and_run(pdev);
	pci_dev_put(pdev);
	if (ret)
		pr_err("edudma: failed with error %d\n", ret);
	return ret;
}

static void __exit edudma_exit(void)
{
}

module_init(edudma_init);
module_exit(edudma_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION(
	"brig test: DMA by QEMU's edu device to a raw physical address");
