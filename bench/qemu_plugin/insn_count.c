/*
 * libmote_insn_count.so: a QEMU TCG plugin (plugin API version 1, QEMU 7.2)
 * that counts the guest instructions a benchmark window executes.
 *
 * A window opens when the guest executes the first instruction of the
 * function `mote_bench_begin` and closes when it executes the first
 * instruction of `mote_bench_end` (targets/cortex-m/common/bench_markers.c).
 * The counts add up over all windows:
 *
 *   invocations=<windows opened>
 *   instructions=<instructions executed inside windows>
 *   total_instructions=<instructions executed in the whole run>
 *
 * written at exit to the file given by out=PATH, or without it through
 * qemu_plugin_outs(), i.e. QEMU's log: shown only with `-d plugin` (on
 * stderr, or in the file given by -D). With windows=PATH it also writes each
 * window's own count to PATH, one line per window in order (the runner's
 * `--per-op` mode opens one window per operator). With symbols=PATH it
 * writes, for every function symbol, the instructions executed inside
 * windows while in that function (its own code, not its callees), most
 * first: where a kernel's instructions go.
 *
 * Markers are found by symbol name (the default): QEMU keeps the symbol
 * table of the ELF given to -kernel, and qemu_plugin_insn_symbol() names the
 * function an instruction belongs to. A window is opened by *any*
 * instruction of mote_bench_begin while no window is open and closed by any
 * instruction of mote_bench_end while one is, so the count does not depend
 * on where translation blocks start (with the firmware's one-instruction
 * `bx lr` markers the two readings coincide anyway). The instructions of
 * mote_bench_begin itself and of the call to mote_bench_end belong to the
 * window: a constant of a few instructions per invocation.
 * Arguments begin=ADDR,end=ADDR (hex 0x... or decimal) select the markers by
 * exact instruction address instead, for stripped ELFs.
 *
 * Counting is exact: every translation block gets an execution callback that
 * adds its instructions, split at the marker instructions it contains. The
 * M-profile boards have a single vCPU, so plain counters are enough.
 *
 * Debian's QEMU exports the plugin API but installs no qemu-plugin.h, so the
 * few declarations used are copied below; they match QEMU 7.2's
 * include/qemu/qemu-plugin.h (QEMU_PLUGIN_VERSION 1) exactly.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- From QEMU 7.2 include/qemu/qemu-plugin.h ---------------------------- */
#define QEMU_PLUGIN_EXPORT __attribute__((visibility("default")))

typedef uint64_t qemu_plugin_id_t;

typedef struct qemu_info_t {
  const char *target_name;
  struct {
    int min;
    int cur;
  } version;
  bool system_emulation;
  union {
    struct {
      int smp_vcpus;
      int max_vcpus;
    } system;
  };
} qemu_info_t;

struct qemu_plugin_tb;
struct qemu_plugin_insn;

enum qemu_plugin_cb_flags {
  QEMU_PLUGIN_CB_NO_REGS,
  QEMU_PLUGIN_CB_R_REGS,
  QEMU_PLUGIN_CB_RW_REGS,
};

typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *userdata);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id,
                                           qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
                                          qemu_plugin_vcpu_udata_cb_t cb,
                                          enum qemu_plugin_cb_flags flags,
                                          void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
const char *qemu_plugin_insn_symbol(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb,
                                    void *userdata);
void qemu_plugin_outs(const char *string);

QEMU_PLUGIN_EXPORT int qemu_plugin_version = 1;
QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv);
/* -------------------------------------------------------------------------- */

static const char kBeginSymbol[] = "mote_bench_begin";
static const char kEndSymbol[] = "mote_bench_end";

/* Arguments. */
static char *g_out_path;
static bool g_by_address;
static uint64_t g_begin_addr;
static uint64_t g_end_addr;

/* Counters (one vCPU). */
static bool g_in_window;
static uint64_t g_invocations;
static uint64_t g_window_insns;
static uint64_t g_total_insns;

/* Per-window counts, kept only with windows=PATH (host memory, grown by doubling). */
static char *g_windows_path;
static uint64_t *g_windows;
static size_t g_windows_cap;
static uint64_t g_window_start; /* g_window_insns when the open window began */

/* Per-symbol counts, kept only with symbols=PATH. */
static char *g_symbols_path;
struct SymbolCount {
  const char *name;
  uint64_t insns;
  struct SymbolCount *next;
};
static struct SymbolCount *g_symbols;

static struct SymbolCount *SymbolCounter(const char *name) {
  if (name == NULL) name = "?";
  for (struct SymbolCount *s = g_symbols; s != NULL; s = s->next) {
    if (strcmp(s->name, name) == 0) return s;
  }
  struct SymbolCount *s = calloc(1, sizeof *s);
  if (s == NULL) abort();
  s->name = strdup(name);
  s->next = g_symbols;
  g_symbols = s;
  return s;
}

/* A translation block's runs of instructions by symbol. */
struct SymbolRuns {
  uint32_t n_runs;
  struct {
    struct SymbolCount *counter;
    uint32_t n_insns;
  } runs[];
};

static void ExecSymbols(unsigned int vcpu_index, void *userdata) {
  (void)vcpu_index;
  const struct SymbolRuns *r = userdata;
  if (!g_in_window) return;
  for (uint32_t i = 0; i < r->n_runs; ++i) r->runs[i].counter->insns += r->runs[i].n_insns;
}

static void RecordWindow(uint64_t start) {
  if (g_windows_path == NULL) return;
  if (g_invocations > g_windows_cap) {
    g_windows_cap = g_windows_cap ? 2 * g_windows_cap : 1024;
    g_windows = realloc(g_windows, g_windows_cap * sizeof *g_windows);
    if (g_windows == NULL) abort();
  }
  g_windows[g_invocations - 1] = g_window_insns - start;
}

/*
 * What one translation block does when it executes: `n_insns` instructions,
 * with marker instructions at the given indices (in order). Blocks without
 * markers share no state: their userdata is the instruction count itself.
 */
enum MarkerKind { kMarkerBegin, kMarkerEnd };
struct Marker {
  uint32_t index;
  enum MarkerKind kind;
};
struct MarkedBlock {
  uint32_t n_insns;
  uint32_t n_markers;
  struct Marker markers[];
};

static void ExecPlain(unsigned int vcpu_index, void *userdata) {
  (void)vcpu_index;
  const uint64_t n = (uint64_t)(uintptr_t)userdata;
  g_total_insns += n;
  if (g_in_window) g_window_insns += n;
}

static void ExecMarked(unsigned int vcpu_index, void *userdata) {
  (void)vcpu_index;
  const struct MarkedBlock *block = userdata;
  g_total_insns += block->n_insns;
  uint32_t position = 0;
  for (uint32_t m = 0; m < block->n_markers; ++m) {
    const struct Marker *marker = &block->markers[m];
    if (g_in_window) g_window_insns += marker->index - position;
    position = marker->index;
    if (marker->kind == kMarkerBegin && !g_in_window) {
      g_in_window = true;
      ++g_invocations;
      g_window_start = g_window_insns;
    } else if (marker->kind == kMarkerEnd && g_in_window) {
      g_in_window = false;
      RecordWindow(g_window_start);
    }
  }
  if (g_in_window) g_window_insns += block->n_insns - position;
}

static int MarkerOf(const struct qemu_plugin_insn *insn) {
  if (g_by_address) {
    const uint64_t vaddr = qemu_plugin_insn_vaddr(insn);
    if (vaddr == g_begin_addr) return kMarkerBegin;
    if (vaddr == g_end_addr) return kMarkerEnd;
    return -1;
  }
  const char *symbol = qemu_plugin_insn_symbol(insn);
  if (symbol == NULL) return -1;
  if (strcmp(symbol, kBeginSymbol) == 0) return kMarkerBegin;
  if (strcmp(symbol, kEndSymbol) == 0) return kMarkerEnd;
  return -1;
}

static void OnTranslate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb) {
  (void)id;
  const size_t n_insns = qemu_plugin_tb_n_insns(tb);
  if (g_symbols_path != NULL && n_insns > 0) {
    /* Registered before the counting callback: a block that opens a window
     * counts from the next execution on, one that closes it not at all, a
     * few instructions per window. */
    struct SymbolRuns *r = malloc(sizeof(struct SymbolRuns) + n_insns * sizeof r->runs[0]);
    if (r == NULL) abort();
    r->n_runs = 0;
    for (size_t i = 0; i < n_insns; ++i) {
      struct SymbolCount *c = SymbolCounter(qemu_plugin_insn_symbol(qemu_plugin_tb_get_insn(tb, i)));
      if (r->n_runs > 0 && r->runs[r->n_runs - 1].counter == c) {
        ++r->runs[r->n_runs - 1].n_insns;
      } else {
        r->runs[r->n_runs].counter = c;
        r->runs[r->n_runs].n_insns = 1;
        ++r->n_runs;
      }
    }
    qemu_plugin_register_vcpu_tb_exec_cb(tb, ExecSymbols, QEMU_PLUGIN_CB_NO_REGS, r);
  }
  size_t n_markers = 0;
  for (size_t i = 0; i < n_insns; ++i) {
    if (MarkerOf(qemu_plugin_tb_get_insn(tb, i)) >= 0) ++n_markers;
  }
  if (n_markers == 0) {
    qemu_plugin_register_vcpu_tb_exec_cb(tb, ExecPlain, QEMU_PLUGIN_CB_NO_REGS,
                                         (void *)(uintptr_t)n_insns);
    return;
  }
  /*
   * Blocks holding markers are few (they start at the marker functions), but
   * each translation needs its own description; a retranslated block leaks
   * the old one, bounded by how often the marker code is retranslated.
   */
  struct MarkedBlock *block =
      malloc(sizeof(struct MarkedBlock) + n_markers * sizeof(struct Marker));
  if (block == NULL) abort();
  block->n_insns = (uint32_t)n_insns;
  block->n_markers = 0;
  for (size_t i = 0; i < n_insns; ++i) {
    const int kind = MarkerOf(qemu_plugin_tb_get_insn(tb, i));
    if (kind >= 0) {
      block->markers[block->n_markers].index = (uint32_t)i;
      block->markers[block->n_markers].kind = (enum MarkerKind)kind;
      ++block->n_markers;
    }
  }
  qemu_plugin_register_vcpu_tb_exec_cb(tb, ExecMarked, QEMU_PLUGIN_CB_NO_REGS, block);
}

static void OnExit(qemu_plugin_id_t id, void *userdata) {
  (void)id;
  (void)userdata;
  char report[256];
  snprintf(report, sizeof(report),
           "invocations=%" PRIu64 "\ninstructions=%" PRIu64 "\ntotal_instructions=%" PRIu64 "\n",
           g_invocations, g_window_insns, g_total_insns);
  if (g_out_path == NULL) {
    qemu_plugin_outs(report);
  } else {
    FILE *out = fopen(g_out_path, "w");
    if (out == NULL || fputs(report, out) == EOF || fclose(out) != 0) {
      /* qemu_plugin_outs() is silent without -d plugin: use stderr. */
      fprintf(stderr, "mote_insn_count: cannot write %s\n%s", g_out_path, report);
    }
  }
  if (g_symbols_path != NULL) {
    FILE *symbols = fopen(g_symbols_path, "w");
    if (symbols == NULL) {
      fprintf(stderr, "mote_insn_count: cannot write %s\n", g_symbols_path);
    } else {
      /* Selection by maximum: the list is short (the firmware's functions). */
      for (;;) {
        struct SymbolCount *best = NULL;
        for (struct SymbolCount *c = g_symbols; c != NULL; c = c->next) {
          if (c->insns > 0 && (best == NULL || c->insns > best->insns)) best = c;
        }
        if (best == NULL) break;
        fprintf(symbols, "%12" PRIu64 " %s\n", best->insns, best->name);
        best->insns = 0;
      }
      fclose(symbols);
    }
  }
  if (g_windows_path != NULL) {
    FILE *windows = fopen(g_windows_path, "w");
    bool ok = windows != NULL;
    for (size_t i = 0; ok && i < g_invocations && i < g_windows_cap; ++i) {
      ok = fprintf(windows, "%" PRIu64 "\n", g_windows[i]) > 0;
    }
    if (windows == NULL || fclose(windows) != 0 || !ok) {
      fprintf(stderr, "mote_insn_count: cannot write %s\n", g_windows_path);
    }
  }
}

static bool ParseAddress(const char *text, uint64_t *value) {
  char *end = NULL;
  *value = strtoull(text, &end, 0);
  return end != text && *end == '\0';
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
                                           int argc, char **argv) {
  (void)info;
  bool have_begin = false;
  bool have_end = false;
  for (int i = 0; i < argc; ++i) {
    const char *arg = argv[i];
    if (strncmp(arg, "out=", 4) == 0) {
      g_out_path = strdup(arg + 4);
    } else if (strncmp(arg, "symbols=", 8) == 0) {
      g_symbols_path = strdup(arg + 8);
    } else if (strncmp(arg, "windows=", 8) == 0) {
      g_windows_path = strdup(arg + 8);
    } else if (strncmp(arg, "begin=", 6) == 0 && ParseAddress(arg + 6, &g_begin_addr)) {
      have_begin = true;
    } else if (strncmp(arg, "end=", 4) == 0 && ParseAddress(arg + 4, &g_end_addr)) {
      have_end = true;
    } else {
      fprintf(stderr,
              "mote_insn_count: unknown argument '%s' (expected out=PATH, windows=PATH, "
              "symbols=PATH, begin=ADDR, end=ADDR)\n",
              arg);
      return -1;
    }
  }
  if (have_begin != have_end) {
    fprintf(stderr, "mote_insn_count: begin=ADDR and end=ADDR go together\n");
    return -1;
  }
  g_by_address = have_begin;
  /* Thumb: the marker is the instruction address, without the ELF symbol's
   * interworking bit 0. */
  g_begin_addr &= ~(uint64_t)1;
  g_end_addr &= ~(uint64_t)1;

  qemu_plugin_register_vcpu_tb_trans_cb(id, OnTranslate);
  qemu_plugin_register_atexit_cb(id, OnExit, NULL);
  return 0;
}
