"""vitk_library_sources: a manifest of every cc_library's C sources.

An aspect walks `deps` from the given roots and records, for each cc_library
it reaches (outside external repositories), the .c files in its srcs.  The
rule writes one line per file, "<library label> <runfiles path>", and puts
the files in its runfiles, so a test can read them hermetically: a new
library or source file shows up without editing any list, and changing a
source re-runs the test.
"""

_LibSrcsInfo = provider(fields = ["lines", "files"])

def _lib_srcs_aspect_impl(target, ctx):
    lines = []
    files = []
    if ctx.rule.kind == "cc_library" and not target.label.workspace_name:
        for s in getattr(ctx.rule.attr, "srcs", []):
            for f in s.files.to_list():
                if f.extension == "c":
                    lines.append("%s %s" % (target.label, f.short_path))
                    files.append(f)
    deps = [d[_LibSrcsInfo] for d in getattr(ctx.rule.attr, "deps", []) if _LibSrcsInfo in d]
    return [_LibSrcsInfo(
        lines = depset(lines, transitive = [d.lines for d in deps]),
        files = depset(files, transitive = [d.files for d in deps]),
    )]

_lib_srcs_aspect = aspect(
    implementation = _lib_srcs_aspect_impl,
    attr_aspects = ["deps"],
)

def _vitk_library_sources_impl(ctx):
    lines = depset(transitive = [r[_LibSrcsInfo].lines for r in ctx.attr.roots])
    files = depset(transitive = [r[_LibSrcsInfo].files for r in ctx.attr.roots])
    out = ctx.actions.declare_file(ctx.label.name + ".txt")
    ctx.actions.write(out, "\n".join(sorted(lines.to_list())) + "\n")
    return [DefaultInfo(
        files = depset([out]),
        runfiles = ctx.runfiles(files = [out], transitive_files = files),
    )]

vitk_library_sources = rule(
    implementation = _vitk_library_sources_impl,
    attrs = {
        "roots": attr.label_list(aspects = [_lib_srcs_aspect]),
    },
)
