#include "commands.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "boot_info.h"
#include "exit_device.h"
#include "identity.h"
#include "interrupts.h"
#include "parse.h"
#include "print.h"
#include "ram.h"

#define MIB (1ull << 20)
#define QWORDS_PER_MIB (MIB / 8)
#define SUM_BLOCKS_PER_MIB (QWORDS_PER_MIB / 16)
#define DIRTY_BASE (16 * MIB)
#define DIRTY_MAX_MIB 4096
#define SEED_MULTIPLIER 0x9E3779B97F4A7C15ull
#define MAX_WORDS 4

/* Size of the region the last successful `dirty` wrote, from DIRTY_BASE. */
static uint64_t g_dirty_mib;

static void error_start(void) { print_str("error: "); }

static void usage_error(const char* usage) {
  error_start();
  print_str("usage: ");
  print_str(usage);
  print_eol();
}

static void bad_number_error(const char* word) {
  error_start();
  print_str("bad number '");
  print_str(word);
  print_str("'");
  print_eol();
}

static void not_in_ram_error(uint64_t addr) {
  error_start();
  print_str("address ");
  print_hex(addr);
  print_str(" is not in RAM (see 'mem')");
  print_eol();
}

static void cmd_ping(void) { PRINT_LINE_LITERAL("pong\n"); }

static void cmd_dirty(int argc, char** argv) {
  uint64_t mib;
  uint64_t seed = 1;
  if (argc < 2 || argc > 3) {
    usage_error("dirty MB [SEED]");
    return;
  }
  if (!parse_number(argv[1], &mib)) {
    bad_number_error(argv[1]);
    return;
  }
  if (argc == 3 && !parse_number(argv[2], &seed)) {
    bad_number_error(argv[2]);
    return;
  }
  if (mib > DIRTY_MAX_MIB || !ram_contains(DIRTY_BASE, mib * MIB)) {
    error_start();
    print_dec(mib);
    print_str(" MiB from ");
    print_hex(DIRTY_BASE);
    print_str(" exceed the RAM in the boot memory map");
    print_eol();
    return;
  }
  for (uint64_t i = 0; i < mib; ++i)
    fill_qwords(DIRTY_BASE + i * MIB, seed * SEED_MULTIPLIER + i, QWORDS_PER_MIB);
  g_dirty_mib = mib;
  print_str("dirtied ");
  print_dec(mib);
  print_str(" MiB");
  print_eol();
}

static void cmd_sum(int argc) {
  if (argc != 1) {
    usage_error("sum");
    return;
  }
  print_str("sum ");
  print_hex64(sum_qword_blocks(DIRTY_BASE, g_dirty_mib * SUM_BLOCKS_PER_MIB));
  print_eol();
}

static void cmd_write(int argc, char** argv) {
  uint64_t addr;
  uint64_t value;
  if (argc != 3) {
    usage_error("write ADDR VAL (hex)");
    return;
  }
  if (!parse_hex(argv[1], &addr)) {
    bad_number_error(argv[1]);
    return;
  }
  if (!parse_hex(argv[2], &value)) {
    bad_number_error(argv[2]);
    return;
  }
  if (!ram_contains(addr, 8)) {
    not_in_ram_error(addr);
    return;
  }
  *(volatile uint64_t*)(uintptr_t)addr = value;
  print_str("ok");
  print_eol();
}

static void cmd_read(int argc, char** argv) {
  uint64_t addr;
  if (argc != 2) {
    usage_error("read ADDR (hex)");
    return;
  }
  if (!parse_hex(argv[1], &addr)) {
    bad_number_error(argv[1]);
    return;
  }
  if (!ram_contains(addr, 8)) {
    not_in_ram_error(addr);
    return;
  }
  print_hex64(*(volatile uint64_t*)(uintptr_t)addr);
  print_eol();
}

static void cmd_ticks(int argc) {
  if (argc != 1) {
    usage_error("ticks");
    return;
  }
  print_str("ticks ");
  print_dec(timer_ticks());
  print_eol();
}

static void cmd_mem(int argc) {
  if (argc != 1) {
    usage_error("mem");
    return;
  }
  print_str("mem");
  for (uint32_t i = 0; i < g_boot.memmap_count; ++i) {
    const struct memmap_entry* e = &g_boot.memmap[i];
    print_char(' ');
    print_hex(e->addr);
    print_char('-');
    print_hex(e->addr + e->size);
    print_char(':');
    print_dec(e->type);
  }
  print_eol();
}

static void cmd_cmdline(int argc) {
  if (argc != 1) {
    usage_error("cmdline");
    return;
  }
  print_str("cmdline ");
  print_str(g_boot.cmdline);
  print_eol();
}

static void cmd_exit(int argc, char** argv) {
  uint64_t code;
  if (argc != 2) {
    usage_error("exit CODE");
    return;
  }
  if (!parse_number(argv[1], &code)) {
    bad_number_error(argv[1]);
    return;
  }
  if (code > 255) {
    error_start();
    print_str("exit code must be 0..255");
    print_eol();
    return;
  }
  print_str("exiting ");
  print_dec(code);
  print_eol();
  exit_device_stop((uint8_t)code);
}

/* 8-4-4-4-12 hex digits. */
static void print_uuid(const uint8_t* uuid) {
  print_hex_bytes(uuid, 4);
  for (int i = 4; i < 10; i += 2) {
    print_char('-');
    print_hex_bytes(uuid + i, 2);
  }
  print_char('-');
  print_hex_bytes(uuid + 10, 6);
}

/* aa:bb:cc:dd:ee:ff,... or "-" when there are none. */
static void print_macs(const struct guest_identity* id) {
  if (id->mac_count == 0) print_char('-');
  for (uint32_t i = 0; i < id->mac_count; ++i) {
    if (i > 0) print_char(',');
    for (int j = 0; j < 6; ++j) {
      if (j > 0) print_char(':');
      print_hex_bytes(&id->macs[i][j], 1);
    }
  }
}

static void cmd_identity(int argc) {
  struct guest_identity id;
  if (argc != 1) {
    usage_error("identity");
    return;
  }
  switch (identity_read(&id)) {
    case IDENTITY_OK: break;
    case IDENTITY_ABSENT:
      print_str("identity none");
      print_eol();
      return;
    case IDENTITY_BAD_VERSION:
      error_start();
      print_str("identity device version ");
      print_dec(id.version);
      print_str(", this guest reads version 1");
      print_eol();
      return;
    case IDENTITY_BAD_COUNT:
      error_start();
      print_str("identity device reports ");
      print_dec(id.mac_count);
      print_str(" MACs, more than 64");
      print_eol();
      return;
    case IDENTITY_UNSTABLE:
      error_start();
      print_str("identity generation changed on every read");
      print_eol();
      return;
  }
  print_str("identity uuid=");
  print_uuid(id.uuid);
  print_str(" genid=");
  print_hex_bytes(id.generation_id, 16);
  print_str(" seed=");
  print_hex_bytes(id.seed, 32);
  print_str(" gen=");
  print_dec(id.generation);
  print_str(" macs=");
  print_macs(&id);
  print_eol();
}

static int str_eq(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

static void unknown_command(const char* word) {
  error_start();
  print_str("unknown command '");
  print_str(word);
  print_str("'");
  print_eol();
}

/*
 * `ping` is what a client sends first to see that a clone is up, so that
 * exact line is matched with one 4-byte compare before the line is split:
 * about 100 emulated instructions fewer (docs/guest.md, "Instruction budget").
 */
static bool is_exactly_ping(const char* line, uint32_t length) {
  uint32_t word;
  if (length != 4) return false;
  __builtin_memcpy(&word, line, 4);
  return word == ('p' | 'i' << 8 | 'n' << 16 | (uint32_t)'g' << 24);
}

void command_execute(char* line, uint32_t length) {
  if (is_exactly_ping(line, length)) {
    cmd_ping();
    return;
  }
  char* argv[MAX_WORDS];
  int argc = split_words(line, length, argv, MAX_WORDS);
  if (argc == 0) return;
  if (argc > MAX_WORDS) argc = MAX_WORDS; /* every command takes fewer; it reports usage */
  const char* cmd = argv[0];
  if (str_eq(cmd, "ping"))
    cmd_ping();
  else if (str_eq(cmd, "dirty"))
    cmd_dirty(argc, argv);
  else if (str_eq(cmd, "sum"))
    cmd_sum(argc);
  else if (str_eq(cmd, "write"))
    cmd_write(argc, argv);
  else if (str_eq(cmd, "read"))
    cmd_read(argc, argv);
  else if (str_eq(cmd, "ticks"))
    cmd_ticks(argc);
  else if (str_eq(cmd, "mem"))
    cmd_mem(argc);
  else if (str_eq(cmd, "cmdline"))
    cmd_cmdline(argc);
  else if (str_eq(cmd, "identity"))
    cmd_identity(argc);
  else if (str_eq(cmd, "exit"))
    cmd_exit(argc, argv);
  else
    unknown_command(cmd);
}
