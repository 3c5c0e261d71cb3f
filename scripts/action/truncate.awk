# Cuts a markdown step summary (stdin) to at most `max` bytes (-v max=N), for GitHub's 1 MiB
# limit per step. Run with LC_ALL=C so that length() counts bytes.
#
# Pass 1 (-v pass=diffs) drops every ```diff block, keeping the verdict, the table and each
# grant's permission summary: the diffs are most of the bytes and the job log has them.
# Pass 2 (-v pass=cut) keeps whole lines from the top while they fit, then closes an open code
# block and open <details>, and says how much was left out.

function note(dropped) {
    return "\n_Cut to fit GitHub's step summary limit: " dropped " more bytes. The job log has" \
        " the full report (`ssm-compile diff`)._\n"
}

pass == "diffs" {
    if (!in_diff && $0 == "```diff") {
        in_diff = 1
        print "_(diff left out to fit GitHub's step summary limit; the job log has it)_"
        next
    }
    if (in_diff) {
        if ($0 == "```") in_diff = 0
        next
    }
    print
    next
}

pass == "cut" {
    size = length($0) + 1
    if (!cut) {
        # Room for the closing lines and the note (at most 300 bytes with any open <details>).
        if (used + size + 300 + 13 * open_details <= max) {
            print
            used += size
            if ($0 ~ /^```/) in_fence = !in_fence
            else if (!in_fence && $0 ~ /^<details>/) open_details++
            else if (!in_fence && $0 ~ /^<\/details>/) open_details--
            next
        }
        cut = 1
    }
    dropped += size
    next
}

END {
    if (pass == "cut" && cut) {
        if (in_fence) print "```"
        for (; open_details > 0; open_details--) print "\n</details>"
        printf "%s", note(dropped)
    }
}
