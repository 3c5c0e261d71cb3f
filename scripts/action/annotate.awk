# Turns ssm-compile's human diagnostics (stdin, --color never) into GitHub workflow commands,
# one per diagnostic:
#
#   error[CODE]: message               ::error file=F,line=L,col=C,title=CODE::message%0A...
#     --> file:line:col                (the label under the carets and each help/note line
#      |  ^^^^ label                    follow the message, one per annotation line)
#   help: ...
#
# A diagnostic without a `-->` line gets no file. `prefix` (-v prefix=DIR/) is put before
# relative file names: annotations name files from the repository root, ssm-compile from the
# directory it runs in. Used by run.sh until ssm-compile has --message-format github.

function escape_data(s) {
    gsub(/%/, "%25", s); gsub(/\r/, "%0D", s); gsub(/\n/, "%0A", s)
    return s
}
function escape_property(s) {
    s = escape_data(s); gsub(/:/, "%3A", s); gsub(/,/, "%2C", s)
    return s
}
function flush(   props) {
    if (level == "") return
    props = ""
    if (file != "") props = " file=" escape_property(file) ",line=" line ",col=" col
    if (code != "") props = props (props == "" ? " " : ",") "title=" escape_property(code)
    printf "::%s%s::%s\n", level, props, escape_data(message)
    level = ""
}

/^(error|warning)(\[[^]]*\])?: / {
    flush()
    level = substr($0, 1, index($0, ":") - 1)
    code = ""
    if (match(level, /\[[^]]*\]/)) {
        code = substr(level, RSTART + 1, RLENGTH - 2)
        level = substr(level, 1, RSTART - 1)
    }
    message = substr($0, index($0, ": ") + 2)
    file = ""; line = ""; col = ""
    next
}
level != "" && file == "" && /^ *--> / {
    where = $0
    sub(/^ *--> /, "", where)
    # file:line:col, where the file name itself may hold colons.
    if (match(where, /:[0-9]+:[0-9]+$/)) {
        file = substr(where, 1, RSTART - 1)
        split(substr(where, RSTART + 1), at, ":")
        line = at[1]; col = at[2]
        if (file !~ /^\// && prefix != "") file = prefix file
    }
    next
}
level != "" && /^ *[0-9]* *\| *[ ^-]*\^+ +[^ ^]/ {
    label = $0
    sub(/^[^^]*\^+ +/, "", label)
    message = message "\n" label
    next
}
level != "" && /^(help|note): / { message = message "\n" $0; next }
END { flush() }
