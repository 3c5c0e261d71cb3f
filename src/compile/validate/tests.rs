//! The two compile paths (section by section, the whole file) agree.

use super::*;

/// Validating section by section must give exactly what validating the whole file gives.
fn same_as_whole(text: &str) {
    let whole = match parse::parse(text) {
        Ok(tree) => Some(validate(&tree)),
        Err(_) => None,
    };
    // `None` is fine: the caller then falls back to the whole file.
    let mut grants = Vec::new();
    if let Some((settings, diagnostics)) = validate_sections(text, &mut |g| grants.push(g)) {
        grants.sort_by(|a, b| a.name.cmp(&b.name));
        let sections = (
            settings.map(|settings| Config { settings, grants }),
            diagnostics,
        );
        assert_eq!(Some(sections), whole, "{text}");
    }
}

#[test]
fn sections_match_whole_file() {
    let grant = |name: &str, extra: &str| {
        format!(
            "[grant.{name}]\nrole = \"admin\"\nwho = [\"user:a\"]\nconsoles = [\"ec2\"]\n{extra}\n"
        )
    };
    let head = "account = \"111122223333\"\nregion = \"us-east-2\"\n\n";
    let cases = [
        format!(
            "{head}{}{}",
            grant("a", "tags = { A = \"b\" }"),
            grant("b", "tags = { A = \"c\" }")
        ),
        // A sub-table written after another grant belongs to its own grant.
        format!(
            "{head}{}{}[grant.a.tags]\nA = \"x\"\n",
            grant("a", ""),
            grant("b", "tags = { A = \"c\" }")
        ),
        // A header-like line inside a multi-line string is not a header.
        format!(
            "{head}{}",
            grant("a", "tags = { A = \"\"\"\n[grant.z]\n\"\"\" }")
        ),
        format!(
            "{head}{}{}",
            grant("a", "tags = { A = \"b\" }"),
            grant("a", "tags = { A = \"b\" }")
        ),
        format!(
            "{head}{}{}",
            grant("a", "tags = { A = \"b\" }"),
            grant("A", "tags = { A = \"b\" }")
        ),
        format!(
            "{head}{}{}",
            grant("a", "instances = [\"i-1\"]"),
            grant("b", "kms_key = 3\ntags = {}")
        ),
        format!(
            "region = \"us-east-2\"\n{}{}",
            grant("a", "tags = { A = \"b\" }\naccount = \"111122223333\""),
            grant("b", "tags = { A = \"b\" }")
        ),
        format!("{head}[grant]\n{}", grant("a", "tags = { A = \"b\" }")),
        format!(
            "{head}{}[other]\nx = 1\n",
            grant("a", "tags = { A = \"b\" }")
        ),
        format!("{head}{}", grant("a", "tags = { A = ")),
        // Defaults: applied, overridden, and a bad one reported at its line for two grants.
        format!(
            "{head}[defaults]\nkms_key = \"arn:aws:kms:us-east-2:111122223333:key/k\"\nresume_session = true\n{}{}",
            grant("a", "tags = { A = \"b\" }\nresume_session = false"),
            grant("b", "tags = { A = \"c\" }\nregion = \"cn-north-1\"")
        ),
        format!(
            "{head}[defaults]\nown_sessions = \"username\"\nconsoles = [\"cli\"]\n{}{}",
            "[grant.a]\nrole = \"end-user\"\nwho = [\"role:R\"]\ninstances = [\"*\"]\n",
            "[grant.b]\nrole = \"admin\"\nwho = [\"role:S\"]\ninstances = [\"*\"]\n"
        ),
    ];
    for case in &cases {
        same_as_whole(case);
    }
    assert!(
        validate_sections(&cases[0], &mut |_| {}).is_some(),
        "a plain file is checked by sections"
    );
}

/// `[grant]` written twice, once before a `[grant.NAME]` section and once in it, is an error
/// of the whole file; each part alone parses. Found by the differential fuzz target (issue 16).
#[test]
fn the_grant_table_written_twice_across_parts_is_the_whole_file_s_error() {
    let grant = "role = \"admin\"\nwho = [\"user:a\"]\nconsoles = [\"ec2\"]\ninstances = [\"*\"]\n";
    let head = "account = \"111122223333\"\nregion = \"us-east-2\"\n";
    for second in ["[grant]", "  [ grant ]", "[\"grant\"] # again", "['grant']"] {
        let text = format!("{head}[grant]\n[grant.u]\n{grant}{second}\n");
        same_as_whole(&text);
        assert!(parse::parse(&text).is_err(), "{text}");
    }
    same_as_whole("[grant]\n[grant.u]\n[grant]");
    // Once, after a section: valid, and judged by the whole file.
    let once = format!("{head}[grant.u]\n{grant}[grant]\nv = {{ role = \"admin\" }}\n");
    same_as_whole(&once);
    // The usual headers do not send a file to the whole-file path.
    let usual = format!("{head}[grant.u]\n{grant}[grant.v]\n{grant}[grant.v.tags]\nA = \"b\"\n");
    assert!(!names_the_grant_table(&usual));
}

/// Inline-table grants in one `[grant]` table and top-level dotted grants are cut into
/// parts (issue 16: one tree of 1.5 GB otherwise), with the same result as the whole file,
/// errors and their positions included.
#[test]
fn large_grant_tables_and_dotted_grants_are_checked_in_parts() {
    let head = "account = \"111122223333\"\nregion = \"us-east-2\"\n";
    let inline = |i: usize| {
        format!(
            "g{i} = {{ role = \"end-user\", who = [\"user:u{i}\"], consoles = [\"cli\"], instances = [\"*\"] }}\n"
        )
    };
    let dotted = |i: usize| {
        format!(
            "grant.d{i}.role = \"end-user\"\ngrant.d{i}.who = [\"user:u{i}\"]\ngrant.d{i}.consoles = [\"cli\"]\ngrant.d{i}.instances = [\"*\"]\n"
        )
    };
    let many = |f: &dyn Fn(usize) -> String| (0..2000).map(f).collect::<String>();
    let bad =
        "g7 = { role = \"nope\", who = [\"user:x\"], consoles = [\"cli\"], instances = [\"*\"] }\n";
    let cases = [
        format!("{head}[grant]\n{}", many(&inline)),
        format!("{head}{}", many(&dotted)),
        // An error far into the table is located the same way.
        format!(
            "{head}[grant]\n{}{bad}",
            many(&inline).replace("g7 = ", "h7 = ")
        ),
        // A grant's dotted keys split over two parts: the fallback gives the same answer.
        format!("{head}{}grant.d5.tags = {{ A = \"b\" }}\n", many(&dotted)),
        // A table after the grants.
        format!(
            "{head}[grant]\n{}[grant.z]\nrole = \"admin\"\nwho = [\"user:z\"]\nconsoles = [\"cli\"]\ninstances = [\"*\"]\n",
            many(&inline)
        ),
    ];
    for case in &cases {
        assert!(parse::sections(case).len() > 2, "not cut");
        same_as_whole(case);
    }
    for case in &cases[..3] {
        assert!(validate_sections(case, &mut |_| {}).is_some(), "fell back");
    }
}
