#!/usr/bin/env python3
"""Worst-case stack depth of a Cortex-M firmware, from GCC's call-graph files.

Configure the firmware build with -DMOTE_STACK_USAGE=ON (every runtime and
firmware object then also writes <object>.ci, GCC's -fcallgraph-info=su: each
function's frame size and its calls), build, then:

    /usr/bin/python3 targets/cortex-m/tools/stack_report.py \
        --build build/cortex-m0 --elf build/cortex-m0/bin/mote-runner.elf

It prints the deepest call path from each root (default: Reset_Handler, the
whole program; Model::Load, Interpreter::Create and Interpreter::Invoke on
their own) with each function's frame, plus what a fault taken at the deepest
point adds. Conservative rules:

  * Indirect calls go to every candidate their caller can reach (CANDIDATES
    below: Invoke -> every Eval* kernel, CheckModel -> every Check*, the
    diagnostic and assert hooks -> the runner's handlers, ...). An indirect
    caller with no rule is an error: add one.
  * Functions without a .ci entry (newlib, libgcc) are measured from the ELF's
    disassembly: push/sub sp in the prologue, calls by bl; marked '~'.
  * Dynamically sized frames (alloca, VLAs) and recursion are reported as
    errors: the bound would be unknown.
Exit status 1 on an error, or when --limit is given and exceeded.

On the per-CPU firmware builds of the host preset (which always pass
-DMOTE_STACK_USAGE=ON), every CPU at once:

    # the per-op table modelc compiles in (see "The per-op table" below)
    ... stack_report.py --firmware build/host/firmware \
        --emit-table tools/modelc/plan/kernel_stack_table.inc
    # fail, with the command above, if the committed table is stale
    ... stack_report.py --firmware build/host/firmware --check-table FILE
    # every CPU's whole program: errors as above, and it must fit the
    # board's stack (__stack_top - __stack_limit)
    ... stack_report.py --firmware build/host/firmware --whole-program
"""
import argparse
import collections
import os
import re
import subprocess
import sys

# Indirect callers (demangled name regex) -> the functions they may call
# (demangled name regex).
_OP_KERNEL = r"\w*\(mote::internal::OpContext const&\)$"
CANDIDATES = [
    (r"^mote::Interpreter::Invoke\(\)$",
     r"^mote::internal::(\(anonymous namespace\)::)?Eval" + _OP_KERNEL),
    (r"^mote::internal::CheckModel\(",
     r"^mote::internal::(\(anonymous namespace\)::)?Check" + _OP_KERNEL),
    (r"^mote::internal::(\(anonymous namespace\)::)?EvalActivation\(",
     r"\(std::span<float const, 4294967295u>, float, std::span<float, 4294967295u>\)$"),
    (r"^mote::internal::ReportDiagnostic\(", r"PrintDiagnostic|IgnoreDiagnostic"),
    (r"^mote::internal::AssertFailed\(", r"OnAssert|DefaultAssert"),
    # Constructors in .init_array: the firmware has none (checked below).
    (r"^Reset_Handler$", None),
]
DEFAULT_ROOTS = [
    r"^Reset_Handler$",
    r"^mote::Model::Load\(",
    r"^mote::Interpreter::Create\(",
    r"^mote::Interpreter::Invoke\(\)$",
]
# The fault handler is naked and branches (bx, not a call) to the report.
FAULT_ROOT = r"^mote_fault_report$"
# Exception entry on ARMv6-M/ARMv7-M without FP context: 8 words, plus up to
# 4 bytes of alignment padding.
EXCEPTION_FRAME_BYTES = 36

NODE_RE = re.compile(r'^node: \{ title: "([^"]*)" label: "([^"]*)"')
EDGE_RE = re.compile(r'^edge: \{ sourcename: "([^"]*)" targetname: "([^"]*)"')
STACK_RE = re.compile(r"\\n(\d+) bytes \(([a-z,]+)\)")


def symbol_of(title):
    # "path/file.cc:_ZN..." for functions local to (or emitted by) a unit.
    return title.rsplit(":", 1)[-1]


def demangle(names):
    if not names:
        return {}
    out = subprocess.run(["c++filt"], input="\n".join(names), capture_output=True, text=True,
                         check=True).stdout.split("\n")
    return dict(zip(names, out))


def strip_clone(symbol):
    # GCC clones: foo.isra.0, foo.part.1, foo.constprop.0 ...
    return re.sub(r"\.(isra|part|constprop|cold|lto_priv)\.\d+.*$", "", symbol)


class Graph:
    def __init__(self):
        self.frame = {}          # symbol -> bytes
        self.dynamic = set()     # symbols with an unbounded dynamic frame
        self.calls = collections.defaultdict(set)
        self.indirect = set()    # symbols making indirect calls
        self.estimated = set()   # measured from the disassembly

    def load_ci(self, path):
        with open(path, errors="replace") as f:
            for line in f:
                m = NODE_RE.match(line)
                if m:
                    sym = symbol_of(m.group(1))
                    s = STACK_RE.search(m.group(2))
                    if s:
                        self.frame[sym] = max(self.frame.get(sym, 0), int(s.group(1)))
                        if "dynamic" in s.group(2) and "bounded" not in s.group(2):
                            self.dynamic.add(sym)
                    continue
                m = EDGE_RE.match(line)
                if m:
                    src, dst = symbol_of(m.group(1)), symbol_of(m.group(2))
                    if dst == "__indirect_call":
                        self.indirect.add(src)
                    else:
                        self.calls[src].add(dst)


def elf_functions(elf, objdump):
    """symbol -> (frame bytes, callees) from the disassembly of every function."""
    text = subprocess.run([objdump, "-d", "--no-show-raw-insn", elf], capture_output=True,
                          text=True, check=True).stdout
    funcs = {}
    current = None
    for line in text.split("\n"):
        m = re.match(r"^[0-9a-f]+ <([^>]+)>:$", line)
        if m:
            current = m.group(1)
            funcs[current] = {"push": 0, "sub": 0, "calls": set(), "insns": 0, "indirect": False}
            continue
        if current is None or not line.startswith(" "):
            continue
        f = funcs[current]
        parts = line.split("\t")
        if len(parts) < 2:
            continue
        f["insns"] += 1
        op = parts[1].strip()
        args = parts[2].strip() if len(parts) > 2 else ""
        # Every push and sp decrement anywhere in the function, summed (an
        # upper bound): libgcc's __aeabi_lmul for ARMv6-M pushes a second
        # time after its 13th instruction.
        if True:
            if op in ("push", "stmdb", "push.w", "stmdb.w") and "{" in args:
                regs = args[args.index("{") + 1:args.index("}")]
                count = 0
                for r in regs.split(","):
                    r = r.strip()
                    if "-" in r:
                        a, b = r.split("-")
                        count += int(b.lstrip("r")) - int(a.lstrip("r")) + 1 if a.startswith("r") else 2
                    elif r:
                        count += 1
                f["push"] += 4 * count
            m = re.match(r"sp, (sp, )?#(\d+)", args)
            if op in ("sub", "sub.w", "subw") and m:
                f["sub"] += int(m.group(2))
            if op.startswith("vpush"):
                regs = args[args.index("{") + 1:args.index("}")]
                f["push"] += 8 * len([r for r in regs.split(",") if r.strip()])
        m = re.match(r"[0-9a-f]+ <([^+>]+)", args)
        if op in ("bl", "blx") and m:
            f["calls"].add(m.group(1))
        elif op == "blx":
            f["indirect"] = True
    return funcs


class Analysis:
    """The call graph of one firmware build: its .ci files and its linked ELF."""

    def __init__(self, build, elf, objdump):
        self.g = Graph()
        ci_files = []
        for dirpath, _, files in os.walk(build):
            ci_files += [os.path.join(dirpath, f) for f in files if f.endswith(".ci")]
        if not ci_files:
            sys.exit("no .ci files under %s: configure with -DMOTE_STACK_USAGE=ON and build" % build)
        for path in sorted(ci_files):
            self.g.load_ci(path)
        self.objdump = objdump
        self.elf_path = elf
        self.elf = elf_functions(elf, objdump)
        self.linked = set(self.elf)
        self.errors = {}  # message -> None (ordered, without repeats)
        headers = subprocess.run([objdump, "-h", elf], capture_output=True, text=True,
                                 check=True).stdout
        for m in re.finditer(r"^\s*\d+ (\.(?:pre)?init_array)\s+([0-9a-f]+)", headers, re.M):
            if int(m.group(2), 16) != 0:
                self.error("%s is not empty: constructors are not analysed" % m.group(1))
        g = self.g
        self.names = demangle(sorted(set(g.frame) | self.linked |
                                     {c for cs in g.calls.values() for c in cs}))
        self.all_funcs = sorted(set(g.frame) | self.linked)

    def error(self, message):
        self.errors[message] = None

    def dn(self, sym):
        return self.names.get(sym, sym)

    def ensure(self, sym):
        """Library code (no .ci): frame and calls from the disassembly."""
        g = self.g
        if sym in g.frame or sym in g.estimated:
            return
        base = strip_clone(sym)
        if base in g.frame:
            g.frame[sym] = g.frame[base]
            g.calls[sym] |= g.calls.get(base, set())
            return
        f = self.elf.get(sym)
        if f is None:
            g.frame[sym] = 0
            g.estimated.add(sym)
            return
        g.frame[sym] = f["push"] + f["sub"]
        g.calls[sym] |= f["calls"]
        if f["indirect"]:
            g.indirect.add(sym)
        g.estimated.add(sym)

    def linked_matching(self, regex):
        return [s for s in self.all_funcs if s in self.linked and re.search(regex, self.dn(s))]

    def indirect_targets(self, rules):
        """caller -> the functions its indirect calls may reach, by the first
        rule (caller regex, target regex or None for nothing) that matches."""
        targets_of = {}
        for caller in sorted(self.g.indirect):
            self.resolve_indirect(caller, rules, targets_of)
        return targets_of

    def resolve_indirect(self, caller, rules, targets_of):
        if caller in self.linked and caller not in targets_of:
            for caller_re, target_re in rules:
                if re.search(caller_re, self.dn(caller)):
                    targets = set()
                    if target_re is not None:
                        targets = set(self.linked_matching(target_re))
                        if not targets:
                            self.error("indirect calls from %s: no linked function matches %r"
                                       % (self.dn(caller), target_re))
                    targets_of[caller] = targets
                    break
            else:
                self.error("indirect calls from %s: no rule in CANDIDATES" % self.dn(caller))

    def depth_function(self, rules, prune=None):
        """(depth, targets_of): depth(sym) is (bytes, path) of the deepest
        chain starting in sym, with indirect calls resolved by rules;
        targets_of maps each indirect caller to what its calls may reach.
        Callees whose demangled name matches `prune` are left out."""
        targets_of = self.indirect_targets(rules)
        memo = {}
        on_path = set()
        g = self.g

        def depth(sym):
            if sym in memo:
                return memo[sym]
            self.ensure(sym)
            if sym in g.indirect:  # a library function seen only now
                self.resolve_indirect(sym, rules, targets_of)
            if sym in on_path:
                self.error("recursion through %s" % self.dn(sym))
                return (0, [])
            on_path.add(sym)
            if sym in g.dynamic:
                self.error("%s has a dynamically sized frame" % self.dn(sym))
            best = (0, [])
            for c in sorted(set(g.calls.get(sym, set())) | targets_of.get(sym, set())):
                if prune is not None and re.search(prune, self.dn(c)):
                    continue
                d = depth(c)
                if d[0] > best[0]:
                    best = d
            on_path.discard(sym)
            result = (g.frame[sym] + best[0], [sym] + best[1])
            memo[sym] = result
            return result

        return depth, targets_of

    def symbol_value(self, name):
        out = subprocess.run([self.objdump, "-t", self.elf_path], capture_output=True, text=True,
                             check=True).stdout
        m = re.search(r"^([0-9a-f]+) .*\s%s$" % re.escape(name), out, re.M)
        return int(m.group(1), 16) if m else None


def whole_program(an, roots, quiet=False):
    """Prints the deepest path from each root; returns (first root's depth, fault bytes)."""
    depth, targets_of = an.depth_function(CANDIDATES)
    g = an.g

    def show(title, sym):
        total, path = depth(sym)
        if not quiet:
            print("%s: %d bytes" % (title, total))
            for s in path:
                mark = "~" if s in g.estimated else " "
                print("  %5d %s %s" % (g.frame[s], mark, an.dn(s)))
        return total

    whole = None
    for r in roots:
        matches = an.linked_matching(r)
        if not matches:
            an.error("root %r: no linked function matches" % r)
            continue
        for s in matches:
            total = show("deepest path from %s" % an.dn(s), s)
            if whole is None:
                whole = total
    faults = [s for s in sorted(an.linked) if re.search(FAULT_ROOT, an.dn(s))]
    fault = 0
    if faults:
        an.ensure(faults[0])
        fault = EXCEPTION_FRAME_BYTES + depth(faults[0])[0]
        if not quiet:
            print("a fault at the deepest point adds %d bytes (exception frame %d + handler %d)"
                  % (fault, EXCEPTION_FRAME_BYTES, fault - EXCEPTION_FRAME_BYTES))
    if whole is not None and not quiet:
        print("worst case: %d bytes" % (whole + fault))
    if not quiet:
        print("(~: library function measured from the disassembly; indirect calls: %s)"
              % ", ".join("%s -> %d" % (an.dn(c).replace("(anonymous namespace)::", "").split("(")[0],
                                        len(t))
                          for c, t in sorted(targets_of.items())))
    return whole, fault


# --- The per-op table modelc reports from (--emit-table, --check-table) ------
#
# A model's runtime calls are Model::Load (which runs every op's Check),
# Interpreter::Create, SelfTest and Invoke (which run every op's Eval) and the
# tensor accessors. For the table, indirect calls from the op dispatch reach
# only the kernels of one op type at a time, so for each op:
#   bytes(op) = deepest stack of any of those entry points when the model holds
#               only ops of this type,
# and the part every model needs, bytes(""), is the same with no kernel at all.
# Since the deepest path of an entry point is a maximum over its callees, the
# worst case of a model using op types S is exactly
#   max(bytes(""), max over op in S of bytes(op)).
# Handlers the application installs (diagnostics, assert, the op hook) and
# interrupts are outside the bound: the table resolves those calls to nothing.
TABLE_CPUS = ["cortex-m0", "cortex-m3", "cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55"]
TABLE_ROOTS = [
    ("Model::Load", r"^mote::Model::Load\("),
    ("Interpreter::Create", r"^mote::Interpreter::Create\("),
    ("Interpreter::SelfTest", r"^mote::Interpreter::SelfTest\("),
    ("Interpreter::Invoke", r"^mote::Interpreter::Invoke\(\)$"),
    ("Interpreter::input", r"^mote::Interpreter::input\("),
    ("Interpreter::output", r"^mote::Interpreter::output\("),
]
OP_LIST = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "runtime", "src",
                       "op_list.h")
TABLE_MACRO = "MOTE_KERNEL_STACK"


def read_op_list(path):
    """[(op, check, eval)] from the X-macro in runtime/src/op_list.h."""
    with open(path) as f:
        text = f.read()
    ops = re.findall(r"^\s*X\((\w+), (\w+), (\w+), \w+\)", text, re.M)
    if not ops:
        sys.exit("%s: no X(Op, Check, Eval, Options) entries" % path)
    return ops


def kernel_regex(name):
    return (r"^mote::internal::(\(anonymous namespace\)::)?%s\(mote::internal::OpContext const&\)$"
            % name)


def table_rules(check, evaluate):
    own = [
        (r"^mote::Interpreter::Invoke\(\)$", kernel_regex(evaluate) if evaluate else None),
        (r"^mote::internal::CheckModel\(", kernel_regex(check) if check else None),
        (r"^mote::internal::ReportDiagnostic\(", None),
        (r"^mote::internal::AssertFailed\(", None),
    ]
    return own + CANDIDATES


# Ops whose kernels differ by element type, with a row per type besides the
# op's own (the deepest of all types): a float model must not be charged the
# int8 kernels' im2col buffers. The row for type T leaves out every kernel
# named for another type (reference::, cortex_m_dsp:: and cortex_m_mve::
# kernels end in Int8, Int16 or Float*; their helpers are reached only
# through them). modelc uses "Op:type" when the table has it.
TYPED_OPS = ["Conv2D", "DepthwiseConv2D", "FullyConnected"]
_KERNEL_NS = r"^mote::(reference|cortex_m_dsp|cortex_m_mve)::\w+"
TYPE_PRUNE = {
    "int8": _KERNEL_NS + r"(Int16|Float\w*)\(",
    "int16": _KERNEL_NS + r"(Int8|Float\w*)\(",
    "float32": _KERNEL_NS + r"(Int8|Int16)\(",
}


def table_rows(an, ops):
    """[(op, bytes, entry)] for one CPU: first the part every model needs ("")."""
    roots = []
    for label, regex in TABLE_ROOTS:
        matches = an.linked_matching(regex)
        if not matches:
            an.error("table root %s (%r): no linked function matches" % (label, regex))
        roots += [(label, s) for s in matches]

    def deepest(check, evaluate, prune=None):
        depth = an.depth_function(table_rules(check, evaluate), prune)[0]
        best = (0, "")
        for label, sym in roots:
            d = depth(sym)[0]
            if d > best[0]:
                best = (d, label)
        return best

    rows = [("",) + deepest(None, None)]
    for op, check, evaluate in ops:
        rows.append((op,) + deepest(check, evaluate))
        if op in TYPED_OPS:
            for dtype, prune in sorted(TYPE_PRUNE.items()):
                rows.append(("%s:%s" % (op, dtype),) + deepest(check, evaluate, prune))
    return rows


def compiler_line(objdump):
    gcc = objdump[:-len("objdump")] + "gcc" if objdump.endswith("objdump") else "arm-none-eabi-gcc"
    try:
        out = subprocess.run([gcc, "--version"], capture_output=True, text=True, check=True).stdout
        return out.split("\n")[0].strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown compiler"


def build_type(build):
    try:
        with open(os.path.join(build, "CMakeCache.txt")) as f:
            m = re.search(r"^CMAKE_BUILD_TYPE:\w+=(\w*)$", f.read(), re.M)
            return m.group(1) if m else "?"
    except OSError:
        return "?"


def firmware_analyses(firmware, objdump, cpus):
    """cpu -> Analysis of firmware/<cpu> (only the CPUs that were built)."""
    out = {}
    for cpu in cpus:
        build = os.path.join(firmware, cpu)
        elf = os.path.join(build, "bin", "mote-runner.elf")
        if os.path.exists(elf):
            out[cpu] = Analysis(build, elf, objdump)
    return out


def table_text(firmware, analyses, ops, objdump):
    types = sorted({build_type(os.path.join(firmware, cpu)) for cpu in analyses})
    lines = [
        "// Worst-case stack bytes of the mote runtime per Cortex-M CPU and op type.",
        "// Generated by targets/cortex-m/tools/stack_report.py --emit-table from the",
        "// GCC call-graph files (-fcallgraph-info=su) of the runner firmware builds",
        "// (targets/firmware).",
        "// Do not edit: the stack_table_current test regenerates it and fails, with",
        "// the command to update it, when it is stale.",
        "//",
        "// %s(cpu, op, bytes, entry): the deepest stack, below the caller's stack" % TABLE_MACRO,
        "// pointer, of Model::Load, Interpreter::Create/SelfTest/Invoke/input/output",
        "// when the model holds only ops of type `op` (\"\": no op, the part every",
        "// model needs; \"Op:type\": the op with kernels of one element type only);",
        "// `entry` is the call that needs it. A model's worst case is the maximum",
        "// of its op types' rows (typed where there is one) and the \"\" row. Interrupts, and the",
        "// op hook and diagnostic and assert handlers the application installs,",
        "// come on top.",
        "// %s_BUILD(text): the firmware build the figures hold for." % TABLE_MACRO,
        '%s_BUILD("CMAKE_BUILD_TYPE %s, %s")' % (TABLE_MACRO, "/".join(types), compiler_line(objdump)),
    ]
    for cpu in TABLE_CPUS:
        if cpu not in analyses:
            continue
        for op, size, entry in table_rows(analyses[cpu], ops):
            lines.append('%s("%s", "%s", %d, "%s")' % (TABLE_MACRO, cpu, op, size, entry))
    return "\n".join(lines) + "\n"


def table_entries(text):
    return [l for l in text.split("\n") if l.startswith(TABLE_MACRO + "(")]


def firmware_mode(a):
    ops = read_op_list(a.op_list)
    cpus = [c for c in a.cpus.split(",") if c]
    unknown = [c for c in cpus if c not in TABLE_CPUS]
    if unknown:
        sys.exit("--cpus: unknown %s (have %s)" % (", ".join(unknown), ", ".join(TABLE_CPUS)))
    analyses = firmware_analyses(a.firmware, a.objdump, cpus)
    missing = [c for c in cpus if c not in analyses]
    if missing and a.cpus != ",".join(TABLE_CPUS):
        sys.exit("no firmware for %s under %s (expected <cpu>/bin/mote-runner.elf)"
                 % (", ".join(missing), a.firmware))
    if not analyses:
        sys.exit("no firmware under %s (expected <cpu>/bin/mote-runner.elf, built with "
                 "-DMOTE_STACK_USAGE=ON)" % a.firmware)
    status = 0
    if a.whole_program:
        for cpu, an in analyses.items():
            whole, fault = whole_program(an, DEFAULT_ROOTS, quiet=True)
            top, limit = an.symbol_value("__stack_top"), an.symbol_value("__stack_limit")
            size = top - limit if top is not None and limit is not None else None
            print("%-10s whole program + fault: %5d bytes of a %s-byte stack" % (
                cpu, (whole or 0) + fault, size if size is not None else "?"))
            if size is not None and whole is not None and whole + fault > size:
                an.error("%d bytes needed, the stack has %d" % (whole + fault, size))
    if a.emit_table or a.check_table:
        text = table_text(a.firmware, analyses, ops, a.objdump)
        update = ("/usr/bin/python3 targets/cortex-m/tools/stack_report.py --firmware %s "
                  "--emit-table %s" % (a.firmware, a.check_table or a.emit_table))
        if a.emit_table:
            if len(analyses) != len(TABLE_CPUS):
                sys.exit("--emit-table needs the firmware of every CPU (%s); have %s"
                         % (", ".join(TABLE_CPUS), ", ".join(analyses)))
            with open(a.emit_table, "w") as f:
                f.write(text)
            print("wrote %s (%d rows)" % (a.emit_table, len(table_entries(text))))
        if a.check_table:
            with open(a.check_table) as f:
                committed = f.read()
            want = table_entries(text)
            have = [l for l in table_entries(committed)
                    if any(l.startswith('%s("%s",' % (TABLE_MACRO, cpu)) for cpu in analyses)]
            header = [l for l in text.split("\n") if l.startswith(TABLE_MACRO + "_BUILD(")]
            if want != have or not all(h in committed for h in header):
                import difflib
                sys.stdout.writelines(difflib.unified_diff(
                    [l + "\n" for l in have], [l + "\n" for l in want],
                    a.check_table + " (committed)", "from the firmware builds"))
                for h in header:
                    if h not in committed:
                        print("build line differs: %s" % h)
                print("error: %s is stale; update it with\n  %s" % (a.check_table, update),
                      file=sys.stderr)
                status = 1
            else:
                print("%s is current for %s (%d rows)" % (a.check_table, ", ".join(analyses),
                                                          len(want)))
    for cpu, an in analyses.items():
        for e in an.errors:
            print("error: %s: %s" % (cpu, e), file=sys.stderr)
            status = 1
    return status


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", help="build folder configured with MOTE_STACK_USAGE=ON")
    p.add_argument("--elf", help="linked firmware (for library functions and what is linked)")
    p.add_argument("--root", action="append", help="demangled-name regex of a root (repeatable)")
    p.add_argument("--limit", type=int, help="fail if the whole program (first root + fault) needs more")
    p.add_argument("--objdump", default="arm-none-eabi-objdump")
    p.add_argument("--firmware", help="folder of per-CPU firmware builds (<cpu>/bin/mote-runner.elf), "
                   "e.g. build/host/firmware: for the modes below")
    p.add_argument("--emit-table", metavar="FILE", help="write the per-op table modelc compiles in")
    p.add_argument("--check-table", metavar="FILE", help="fail if FILE differs from the table")
    p.add_argument("--whole-program", action="store_true",
                   help="every CPU: no recursion, no dynamic frame, no unknown indirect call, and "
                        "the whole program plus a fault fits the board's stack")
    p.add_argument("--cpus", default=",".join(TABLE_CPUS),
                   help="comma list of the CPUs under --firmware to analyse (default: all)")
    p.add_argument("--op-list", default=OP_LIST, help="runtime/src/op_list.h")
    a = p.parse_args()
    if a.firmware:
        if not (a.emit_table or a.check_table or a.whole_program):
            p.error("--firmware needs --emit-table, --check-table or --whole-program")
        return firmware_mode(a)
    if not a.build or not a.elf:
        p.error("--build and --elf are required (or --firmware)")

    an = Analysis(a.build, a.elf, a.objdump)
    whole, fault = whole_program(an, a.root or DEFAULT_ROOTS)
    for e in an.errors:
        print("error: " + e, file=sys.stderr)
    if an.errors:
        return 1
    if a.limit is not None and whole is not None and whole + fault > a.limit:
        print("error: %d bytes needed, limit %d" % (whole + fault, a.limit), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
