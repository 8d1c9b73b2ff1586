/*
 * The mimeo identity device (docs/identity.md): a VM's UUID, generation ID,
 * random seed, MAC addresses and generation counter behind two I/O ports.
 */
#ifndef MIMEO_GUEST_IDENTITY_H
#define MIMEO_GUEST_IDENTITY_H

#include <stdint.h>

#define IDENTITY_MAX_MACS 64
#define IDENTITY_VERSION 1

struct guest_identity {
  uint32_t version;
  uint8_t uuid[16];
  uint8_t generation_id[16];
  uint8_t seed[32];
  uint32_t mac_count;
  uint8_t macs[IDENTITY_MAX_MACS][6];
  uint64_t generation;
};

enum identity_status {
  IDENTITY_OK,
  IDENTITY_ABSENT,      /* no "MIMEOID1" signature (not mimeo, e.g. QEMU) */
  IDENTITY_BAD_VERSION, /* id->version is not IDENTITY_VERSION */
  IDENTITY_BAD_COUNT,   /* id->mac_count exceeds IDENTITY_MAX_MACS */
  IDENTITY_UNSTABLE,    /* the generation changed on every attempt */
};

/*
 * Reads the whole identity, one `rep insb` per field. The generation counter
 * is read before and after the other fields, and the read repeated if it
 * changed (the VM was snapshotted and cloned in the middle).
 */
enum identity_status identity_read(struct guest_identity* id);

#endif
