//! Templates read back one resource at a time (`deploy::read`): what `diff` compares is what
//! the template deploys, and a template that does not say one thing is not read at all.

use std::fs;
use std::path::Path;

use ssm_compile::compile;
use ssm_compile::deploy::{self, read};

fn config(name: &str) -> ssm_compile::Compiled {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/deploy")
        .join(name);
    compile(&fs::read_to_string(path).unwrap()).unwrap()
}

fn packed() -> ssm_compile::Compiled {
    config("packed.toml")
}

/// A reader that hands out one byte at a time: the reading must not depend on how the
/// input arrives.
struct Trickle<'a>(&'a [u8]);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((b, rest)), Some(slot)) => {
                *slot = *b;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

#[test]
fn digests_tell_documents_apart_and_only_wanted_documents_are_kept() {
    for compiled in [packed(), config("odd-names.toml")] {
        for (file, _) in compiled
            .plan
            .files
            .iter()
            .filter(|(f, _)| deploy::is_template(f))
        {
            let bytes = compiled.plan.bytes(file).unwrap();
            let all = read::read(file, &bytes[..], &|_| true).unwrap();
            assert!(!all.docs.is_empty(), "{file}");
            assert_eq!(all.docs.len(), all.digests.len(), "{file}");
            assert_eq!(
                Some((all.docs.clone(), all.attached.clone())),
                deploy::read_template(file, &bytes)
            );
            for (a, da) in &all.docs {
                for (b, db) in &all.docs {
                    assert_eq!(
                        da == db,
                        all.digests[a] == all.digests[b],
                        "{file}: {a} {b}"
                    );
                }
            }
            // A grant held whole has the digest of its document alone: the verdict skips a
            // template's copy that says what the grant's `.json` says.
            // `fleet` is over IAM's size limit alone and split into parts: not held whole.
            for (g, doc) in &all.docs {
                let whole = read::whole_digest(doc) == all.digests[g];
                assert_eq!(whole, g != "fleet", "{file}: {g}");
                let mut other = doc.clone();
                other.statement.pop();
                assert_ne!(read::whole_digest(&other), all.digests[g], "{file}: {g}");
            }
            let first = all.docs.keys().next().unwrap().clone();
            let one = read::read(file, Trickle(&bytes), &|g| g == first).unwrap();
            assert_eq!(one.digests, all.digests);
            assert_eq!(one.attached, all.attached);
            assert_eq!(one.docs.keys().collect::<Vec<_>>(), [&first]);
            assert_eq!(one.docs[&first], all.docs[&first]);
        }
    }
}

#[test]
fn a_template_that_does_not_say_one_thing_is_not_read() {
    let compiled = packed();
    let file = compiled
        .plan
        .files
        .keys()
        .find(|f| f.ends_with(".tf.json"))
        .unwrap()
        .clone();
    let text = String::from_utf8(compiled.plan.bytes(&file).unwrap().into_owned()).unwrap();
    assert!(read::read(&file, text.as_bytes(), &|_| false).is_some());
    // A resource named twice: which one Terraform takes is not ours to guess.
    let at = text.find("\"aws_iam_policy\": {").unwrap() + "\"aws_iam_policy\": {".len();
    let close = "\n            }";
    let end = text[at..].find(close).unwrap() + at + close.len();
    let twice = format!("{},{}{}", &text[..end], &text[at..end], &text[end..]);
    assert!(serde_json::from_str::<serde_json::Value>(&twice).is_ok());
    assert!(read::read(&file, twice.as_bytes(), &|_| true).is_none());
    // Metadata that claims more statements than the document holds.
    let count = text.find("\\\"Statements\\\":").unwrap() + "\\\"Statements\\\":".len();
    let lying = format!("{}9{}", &text[..count], &text[count..]);
    assert!(read::read(&file, lying.as_bytes(), &|_| true).is_none());
    for bad in ["", "{}", "[]", "{\"//\": \"x\"}", &text[..text.len() / 2]] {
        assert!(
            read::read(&file, bad.as_bytes(), &|_| true).is_none(),
            "{bad}"
        );
    }
    assert!(read::read("web.json", text.as_bytes(), &|_| true).is_none());
}

/// A grant part attached to two principal sets is in both of their policies: copies that
/// differ (a hand edit of one) leave the template unread, not read as either copy.
#[test]
fn copies_of_a_grant_part_must_agree() {
    let compiled = packed();
    let file = "ssm-compile.111122223333.tf.json";
    let bytes = compiled.plan.bytes(file).unwrap();
    let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let copies = |v: &serde_json::Value| -> usize {
        let r = &v["resource"];
        [
            "aws_iam_policy",
            "aws_ssoadmin_permission_set_inline_policy",
        ]
        .iter()
        .filter_map(|t| r[*t].as_object())
        .flat_map(|m| m.values())
        .filter(|p| p["//"].as_str().unwrap().contains("\"support-shell\""))
        .count()
    };
    assert_eq!(copies(&value), 2, "the case this test needs");
    assert!(read::read(file, &bytes[..], &|_| true).is_some());
    let policies = value["resource"]["aws_iam_policy"].as_object_mut().unwrap();
    let copy = policies
        .values_mut()
        .find(|p| p["//"].as_str().unwrap().contains("\"support-shell\""))
        .unwrap();
    let text = copy["policy"]
        .as_str()
        .unwrap()
        .replacen("ssm:StartSession", "ssm:*", 1);
    copy["policy"] = text.into();
    let edited = serde_json::to_vec_pretty(&value).unwrap();
    assert!(read::read(file, &edited[..], &|_| true).is_none());
    // Read again for documents only, the copies are still compared.
    assert!(read::read_spilled(file, &edited[..], &|_| true).is_none());
    // The same edit of a part held once reads, as a different document.
    let mut value: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let policies = value["resource"]["aws_iam_policy"].as_object_mut().unwrap();
    let once = policies
        .values_mut()
        .find(|p| {
            let items = p["//"].as_str().unwrap();
            !items.contains("\"support-shell\"")
                && p["policy"].as_str().unwrap().contains("ssm:StartSession")
        })
        .unwrap();
    let text = once["policy"]
        .as_str()
        .unwrap()
        .replacen("ssm:StartSession", "ssm:*", 1);
    once["policy"] = text.into();
    let edited = serde_json::to_vec_pretty(&value).unwrap();
    let (before, after) = (
        read::read(file, &bytes[..], &|_| false).unwrap(),
        read::read(file, &edited[..], &|_| false).unwrap(),
    );
    assert_ne!(before.digests, after.digests);
    assert_eq!(before.attached, after.attached);
}

/// Kept as bytes (`read_spilled`, what `diff` uses for a templates-only directory), every
/// wanted document reads back as the one `read` keeps whole, a split grant's parts in order.
/// It keeps nothing else: the review read the digests and attachments already.
#[test]
fn spilled_documents_read_back_as_the_whole_ones() {
    let mut split = false;
    for name in ["packed.toml", "odd-names.toml", "small.toml"] {
        let compiled = config(name);
        for (file, _) in (compiled.plan.files.iter()).filter(|(f, _)| deploy::is_template(f)) {
            let bytes = compiled.plan.bytes(file).unwrap();
            let whole = read::read(file, &bytes[..], &|_| true).unwrap();
            let kept = read::read_spilled(file, Trickle(&bytes), &|_| true).unwrap();
            assert!(kept.docs.is_empty(), "{file}");
            assert!(
                kept.digests.is_empty() && kept.attached.is_empty(),
                "{file}"
            );
            assert_eq!(kept.spilled.len(), whole.docs.len(), "{file}");
            for (grant, parts) in &kept.spilled {
                split |= parts.len() > 1;
                let doc = read::spilled_document(parts).unwrap();
                assert_eq!(Some(&doc), whole.docs.get(grant), "{file}: {grant}");
            }
            let first = whole.docs.keys().next().unwrap().clone();
            let one = read::read_spilled(file, &bytes[..], &|g| g == first).unwrap();
            assert_eq!(one.spilled.keys().collect::<Vec<_>>(), [&first], "{file}");
        }
    }
    assert!(split, "a grant split into parts is among them");
}
