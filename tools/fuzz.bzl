"""vitk_fuzz_test: a libFuzzer target that also runs as an ordinary test.

The fuzzer source defines LLVMFuzzerTestOneInput().  Under `bazel test` it is
linked with //tests/fuzz:standalone_driver, which feeds every corpus file and
then a fixed number of deterministic mutations of them (so CI, with ASan and
UBSan, exercises the parser on hostile bytes).  With clang it can be built as
a real libFuzzer binary: every vitk_fuzz_test also declares a manual
`<name>_libfuzzer` cc_binary (no standalone driver, libFuzzer's own main),
built with `bazel build --config=libfuzzer //<pkg>:<name>_libfuzzer`
(see docs/fuzzing.md).  It is tagged manual so `bazel build //...` and
`bazel test //...` with gcc never try to build it.
"""

load("@rules_cc//cc:defs.bzl", "cc_binary", "cc_test")

def vitk_fuzz_test(name, srcs, deps = [], corpus = [], iterations = 20000, **kwargs):
    cc_binary(
        name = name + "_libfuzzer",
        srcs = srcs,
        deps = deps,
        data = corpus,
        testonly = True,
        copts = ["-fsanitize=fuzzer"],
        linkopts = ["-fsanitize=fuzzer"],
        tags = ["manual"],
        visibility = kwargs.get("visibility"),
    )
    cc_test(
        name = name,
        srcs = srcs,
        deps = deps + ["//tests/fuzz:standalone_driver"],
        data = corpus,
        args = ["--iterations=%d" % iterations] + ["$(location %s)" % c for c in corpus],
        size = kwargs.pop("size", "small"),
        **kwargs
    )
