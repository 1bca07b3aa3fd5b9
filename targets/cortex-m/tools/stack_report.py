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
    (r"^mote::internal::Report\(", r"PrintDiagnostic|IgnoreDiagnostic"),
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
        if f["insns"] <= 12:
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


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", required=True, help="build folder configured with MOTE_STACK_USAGE=ON")
    p.add_argument("--elf", required=True, help="linked firmware (for library functions and what is linked)")
    p.add_argument("--root", action="append", help="demangled-name regex of a root (repeatable)")
    p.add_argument("--limit", type=int, help="fail if the whole program (first root + fault) needs more")
    p.add_argument("--objdump", default="arm-none-eabi-objdump")
    a = p.parse_args()

    g = Graph()
    ci_files = []
    for dirpath, _, files in os.walk(a.build):
        ci_files += [os.path.join(dirpath, f) for f in files if f.endswith(".ci")]
    if not ci_files:
        sys.exit("no .ci files under %s: configure with -DMOTE_STACK_USAGE=ON and build" % a.build)
    for path in ci_files:
        g.load_ci(path)

    elf = elf_functions(a.elf, a.objdump)
    linked = set(elf)
    errors = []
    headers = subprocess.run([a.objdump, "-h", a.elf], capture_output=True, text=True,
                             check=True).stdout
    for m in re.finditer(r"^\s*\d+ (\.(?:pre)?init_array)\s+([0-9a-f]+)", headers, re.M):
        if int(m.group(2), 16) != 0:
            errors.append("%s is not empty: constructors are not analysed" % m.group(1))

    # Library code (no .ci): frames from the disassembly.
    def ensure(sym):
        if sym in g.frame or sym in g.estimated:
            return
        base = strip_clone(sym)
        if base in g.frame:
            g.frame[sym] = g.frame[base]
            g.calls[sym] |= g.calls.get(base, set())
            return
        f = elf.get(sym)
        if f is None:
            g.frame[sym] = 0
            g.estimated.add(sym)
            return
        g.frame[sym] = f["push"] + f["sub"]
        g.calls[sym] |= f["calls"]
        if f["indirect"]:
            g.indirect.add(sym)
        g.estimated.add(sym)

    names = demangle(sorted(set(g.frame) | set(linked) | {c for cs in g.calls.values() for c in cs}))
    dn = lambda s: names.get(s, s)

    # Indirect-call targets.
    all_funcs = sorted(set(g.frame) | linked)
    indirect_targets = {}
    for caller in sorted(g.indirect):
        if caller not in linked:
            continue
        for caller_re, target_re in CANDIDATES:
            if re.search(caller_re, dn(caller)):
                targets = set()
                if target_re is not None:
                    targets = {s for s in all_funcs if s in linked and re.search(target_re, dn(s))}
                    if not targets:
                        errors.append("indirect calls from %s: no linked function matches %r"
                                      % (dn(caller), target_re))
                indirect_targets[caller] = targets
                break
        else:
            errors.append("indirect calls from %s: no rule in CANDIDATES" % dn(caller))

    memo = {}
    on_path = set()

    def depth(sym):
        """(bytes, path) of the deepest chain starting in sym."""
        if sym in memo:
            return memo[sym]
        ensure(sym)
        if sym in on_path:
            errors.append("recursion through %s" % dn(sym))
            return (0, [])
        on_path.add(sym)
        if sym in g.dynamic:
            errors.append("%s has a dynamically sized frame" % dn(sym))
        best = (0, [])
        callees = set(g.calls.get(sym, set())) | indirect_targets.get(sym, set())
        for c in sorted(callees):
            d = depth(c)
            if d[0] > best[0]:
                best = d
        on_path.discard(sym)
        result = (g.frame[sym] + best[0], [sym] + best[1])
        memo[sym] = result
        return result

    def show(title, sym):
        total, path = depth(sym)
        print("%s: %d bytes" % (title, total))
        for s in path:
            mark = "~" if s in g.estimated else " "
            print("  %5d %s %s" % (g.frame[s], mark, dn(s)))
        return total

    roots = a.root or DEFAULT_ROOTS
    whole = None
    for r in roots:
        matches = [s for s in sorted(set(g.frame) | linked) if s in linked and re.search(r, dn(s))]
        if not matches:
            errors.append("root %r: no linked function matches" % r)
            continue
        for s in matches:
            total = show("deepest path from %s" % dn(s), s)
            if whole is None:
                whole = total
    faults = [s for s in linked if re.search(FAULT_ROOT, dn(s))]
    fault = 0
    if faults:
        ensure(faults[0])
        fault = EXCEPTION_FRAME_BYTES + depth(faults[0])[0]
        print("a fault at the deepest point adds %d bytes (exception frame %d + handler %d)"
              % (fault, EXCEPTION_FRAME_BYTES, fault - EXCEPTION_FRAME_BYTES))
    if whole is not None:
        print("worst case: %d bytes" % (whole + fault))
    print("(~: library function measured from the disassembly; indirect calls: %s)"
          % ", ".join("%s -> %d" % (dn(c).replace("(anonymous namespace)::", "").split("(")[0], len(t))
                      for c, t in sorted(indirect_targets.items())))
    for e in errors:
        print("error: " + e, file=sys.stderr)
    if errors:
        return 1
    if a.limit is not None and whole is not None and whole + fault > a.limit:
        print("error: %d bytes needed, limit %d" % (whole + fault, a.limit), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
