//! The six reference configurations compile, through the real binary, to their policies byte
//! for byte.

use std::fs;
use std::path::Path;

use assert_cmd::Command;

fn check_case(name: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let out = tempfile::tempdir().unwrap();
    Command::cargo_bin("ssm-compile")
        .unwrap()
        .args(["build", "-c"])
        .arg(dir.join(format!("{name}.toml")))
        .arg("-o")
        .arg(out.path())
        .assert()
        .success();
    let expected = fs::read(dir.join(format!("{name}.json"))).unwrap();
    let actual = fs::read(out.path().join(format!("{name}.json"))).unwrap();
    assert!(
        expected == actual,
        "{name}.json differs from the golden file:\n{}",
        String::from_utf8_lossy(&actual)
    );
}

macro_rules! golden {
    ($($test:ident => $name:literal,)*) => {$(
        #[test]
        fn $test() {
            check_case($name);
        }
    )*};
}

golden! {
    end_user_session_manager_cli => "end-user-session-manager-cli",
    end_user_ec2 => "end-user-ec2",
    end_user_all_consoles => "end-user-all-consoles",
    admin_session_manager_cli => "admin-session-manager-cli",
    admin_ec2 => "admin-ec2",
    admin_all_consoles => "admin-all-consoles",
}
