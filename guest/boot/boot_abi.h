/* Constants shared by the guest's assembly entry code and its C code. */
#ifndef MIMEO_GUEST_BOOT_ABI_H
#define MIMEO_GUEST_BOOT_ABI_H

/* How guest_main() was reached; tells it what its second argument points to. */
#define BOOT_KIND_PVH 1   /* struct hvm_start_info (PVH boot ABI) */
#define BOOT_KIND_LINUX 2 /* struct boot_params, the Linux "zero page" */

/* GDT layout: the same selectors the Linux boot protocol calls __BOOT_CS/__BOOT_DS. */
#define GDT_CODE64 0x10
#define GDT_DATA 0x18

/* Guest-physical address every image is linked at and loaded to. */
#define GUEST_LOAD_ADDR 0x100000

#endif
