#!/usr/bin/env python3
"""stack_report.py refuses what would make a stack bound unknown.

Compiles three tiny Cortex-M programs with the flags the firmware uses for the
analysis (-fstack-usage -fcallgraph-info=su) and checks that stack_report.py
fails on mutual recursion and on a variable-length array, and passes a plain
call chain with the right depth. The runtime itself is checked by the
stack_no_recursion test; this shows that check would catch a regression.

    /usr/bin/python3 targets/cortex-m/tools/stack_report_test.py
"""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = {
    "recursion": ("int g(int n);\n"
                  "int f(int n) { return n ? g(n - 1) + 1 : 0; }\n"
                  "int g(int n) { volatile int pad[4]; pad[0] = n; return f(pad[0]); }\n"
                  "void _start(void) { f(3); for (;;) {} }\n",
                  1, "recursion through f"),
    "vla": ("int h(int n) { volatile char buf[n]; buf[0] = 1; return buf[0]; }\n"
            "void _start(void) { h(3); for (;;) {} }\n",
            1, "dynamically sized frame"),
    "plain": ("int k(int n) { volatile int a[8]; a[0] = n; return a[0]; }\n"
              "void _start(void) { k(3); for (;;) {} }\n",
              0, "worst case: 40 bytes"),
}


def main():
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name, (source, want_rc, want_text) in PROGRAMS.items():
            build = os.path.join(tmp, name)
            os.makedirs(build)
            with open(os.path.join(build, name + ".c"), "w") as f:
                f.write(source)
            subprocess.run(["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-O1", "-fno-inline",
                            "-fstack-usage", "-fcallgraph-info=su", "-nostdlib", "-o", name + ".elf",
                            name + ".c"], cwd=build, check=True)
            r = subprocess.run([sys.executable, os.path.join(HERE, "stack_report.py"), "--build", build,
                                "--elf", os.path.join(build, name + ".elf"), "--root", "^_start$"],
                               capture_output=True, text=True)
            ok = r.returncode == want_rc and want_text in r.stdout + r.stderr
            print("%s %s: exit %d, %r expected" % ("PASS" if ok else "FAIL", name, r.returncode, want_text))
            if not ok:
                print(r.stdout + r.stderr)
                failed += 1
    print("%d passed, %d failed" % (len(PROGRAMS) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
