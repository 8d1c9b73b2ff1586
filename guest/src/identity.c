#include "identity.h"

#include "io.h"

#define IDENTITY_PORT_SELECT 0x5a0
#define IDENTITY_PORT_DATA 0x5a1

#define FIELD_SIGNATURE 0
#define FIELD_VERSION 1
#define FIELD_UUID 2
#define FIELD_GENERATION_ID 3
#define FIELD_SEED 4
#define FIELD_MAC_COUNT 5
#define FIELD_MACS 6
#define FIELD_GENERATION 7

#define ATTEMPTS 3

static const char kSignature[8] = {'M', 'I', 'M', 'E', 'O', 'I', 'D', '1'};

/* Two exits: the select, then the whole field through one `rep insb`. */
static void read_field(uint8_t field, void* dst, uint32_t len) {
  outb(IDENTITY_PORT_SELECT, field);
  insb(IDENTITY_PORT_DATA, dst, len);
}

enum identity_status identity_read(struct guest_identity* id) {
  /* Without the device the ports read 0xff, which fails at the first byte. */
  char signature[8];
  read_field(FIELD_SIGNATURE, signature, sizeof(signature));
  for (int i = 0; i < 8; ++i)
    if (signature[i] != kSignature[i]) return IDENTITY_ABSENT;
  id->version = 0;
  read_field(FIELD_VERSION, &id->version, 4);
  if (id->version != IDENTITY_VERSION) return IDENTITY_BAD_VERSION;

  for (int attempt = 0; attempt < ATTEMPTS; ++attempt) {
    uint64_t after;
    uint8_t count;
    read_field(FIELD_GENERATION, &id->generation, 8);
    read_field(FIELD_UUID, id->uuid, 16);
    read_field(FIELD_GENERATION_ID, id->generation_id, 16);
    read_field(FIELD_SEED, id->seed, 32);
    read_field(FIELD_MAC_COUNT, &count, 1);
    id->mac_count = count;
    if (count > IDENTITY_MAX_MACS) return IDENTITY_BAD_COUNT;
    read_field(FIELD_MACS, id->macs, 6 * (uint32_t)count);
    read_field(FIELD_GENERATION, &after, 8);
    if (after == id->generation) return IDENTITY_OK;
  }
  return IDENTITY_UNSTABLE;
}
