"""docgen_outputs: run //packaging:docgen in the target configuration.

A genrule would build the generator (and every vitk library it links) a
second time in the host configuration, without the target's copts; this
rule reuses the target build.
"""

def _docgen_outputs_impl(ctx):
    tool = ctx.executable.tool
    outs = ctx.outputs.outs
    if ctx.attr.mode == "man":
        textdir = ctx.files.srcs[0].dirname
        cmd = "%s man %s %s" % (tool.path, textdir, outs[0].dirname)
    else:
        if len(outs) != 1:
            fail("mode %s writes one file" % ctx.attr.mode)
        cmd = "%s %s > %s" % (tool.path, ctx.attr.mode, outs[0].path)
    ctx.actions.run_shell(
        inputs = ctx.files.srcs,
        tools = [tool],
        outputs = outs,
        command = cmd,
        mnemonic = "Docgen",
        progress_message = "docgen %s" % ctx.attr.mode,
    )
    return [DefaultInfo(files = depset(outs), runfiles = ctx.runfiles(files = outs))]

docgen_outputs = rule(
    implementation = _docgen_outputs_impl,
    attrs = {
        "mode": attr.string(mandatory = True, values = ["man", "bash", "zsh", "options"]),
        "srcs": attr.label_list(allow_files = True),
        "outs": attr.output_list(mandatory = True),
        "tool": attr.label(default = "//packaging:docgen", executable = True, cfg = "target"),
    },
)
