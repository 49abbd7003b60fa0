//! The C functions called as C calls them (raw pointers, out-pointers, `rainv_free`), on the
//! bundled files and the hostile corpus; every JSON line is held to docs/rainv.schema.json.
//! The C test program (`tests/c/test_rainv.c`, run by `.ci/capi`) calls them from C, under
//! valgrind.

use std::ffi::{CStr, CString, c_char};
use std::path::{Path, PathBuf};
use std::ptr::{null, null_mut};

use super::*;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn c(text: &str) -> CString {
    CString::new(text).unwrap()
}

/// Take a string rainv gave, freeing it with `rainv_free`.
fn take(ptr: *mut c_char) -> Option<String> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: a string rainv gave, read once, then freed once.
    let text = unsafe { CStr::from_ptr(ptr) }.to_str().unwrap().to_string();
    // SAFETY: as above.
    unsafe { rainv_free(ptr) };
    Some(text)
}

type Call = unsafe extern "C" fn(
    *const u8,
    usize,
    *const c_char,
    *const c_char,
    *const rainv_policy,
    *const c_char,
    *mut *mut c_char,
    *mut *mut c_char,
) -> c_int;

/// Call `function` on `data`; its status, JSON and error.
fn call(
    function: Call,
    data: &[u8],
    file: &str,
    password: Option<&str>,
    now: Option<&str>,
) -> (c_int, Option<String>, Option<String>) {
    let file = c(file);
    let password = password.map(c);
    let now = now.map(c);
    let mut json = null_mut();
    let mut error = null_mut();
    // SAFETY: every pointer is valid for the call.
    let status = unsafe {
        function(
            data.as_ptr(),
            data.len(),
            file.as_ptr(),
            password.as_ref().map_or(null(), |p| p.as_ptr()),
            null(),
            now.as_ref().map_or(null(), |n| n.as_ptr()),
            &mut json,
            &mut error,
        )
    };
    (status, take(json), take(error))
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("docs/rainv.schema.json")).unwrap();
    jsonschema::validator_for(&serde_json::from_str(&text).unwrap()).unwrap()
}

/// Each line valid against the schema; the lines as values.
fn lines(json: &str, what: &str) -> Vec<serde_json::Value> {
    let schema = schema();
    assert!(json.is_empty() || json.ends_with('\n'), "{what}");
    json.lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            let errors: Vec<String> = schema.iter_errors(&value).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{what}: {errors:?}\n{line}");
            value
        })
        .collect()
}

fn example() -> (Vec<u8>, String) {
    let bytes = std::fs::read(root().join("testdata/example.msrcincident")).unwrap();
    let password = std::fs::read_to_string(root().join("testdata/example.password")).unwrap();
    (bytes, password.trim_end().to_string())
}

#[test]
fn the_version_and_the_json_version_are_rainvs() {
    // SAFETY: a static NUL-terminated string.
    let version = unsafe { CStr::from_ptr(rainv_version()) };
    assert_eq!(version.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    assert_eq!(RAINV_JSON_VERSION as u32, rainv_gateway::JSON_VERSION);
}

#[test]
fn open_decrypts_with_the_password_and_refuses_a_wrong_one() {
    let (bytes, password) = example();
    let now = Some("2026-11-22T10:00:00Z");
    let (status, json, error) = call(rainv_open, &bytes, "example", Some(&password), now);
    assert_eq!((status, error), (RAINV_OK, None));
    let line = &lines(&json.unwrap(), "open")[0];
    assert_eq!(line["verdict"], "accept");
    assert_eq!(line["invitation"]["status"], "valid");
    assert_eq!(line["invitation"]["lh_ticket"]["decrypted"], true);

    let (status, json, _) = call(rainv_open, &bytes, "example", Some("wrong password"), now);
    assert_eq!(status, RAINV_REJECTED);
    let line = &lines(&json.unwrap(), "open, wrong password")[0];
    assert_eq!(line["invitation"]["lh_ticket"]["decrypted"], false);
    assert!(line["invitation"]["lh_ticket"]["error"].is_string());

    // Without a password: opened, the ticket shown encrypted.
    let (status, json, _) = call(rainv_open, &bytes, "example", None, now);
    assert_eq!(status, RAINV_OK);
    assert_eq!(
        lines(&json.unwrap(), "open")[0]["invitation"]["lh_ticket"]["decrypted"],
        false
    );
}

#[test]
fn every_hostile_file_gets_schema_valid_lines_and_a_status_that_agrees() {
    let mut seen = 0;
    for entry in std::fs::read_dir(root().join("testdata/hostile")).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_file() {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let name = path.display().to_string();
        let mail = path.extension().is_some_and(|e| e == "eml");
        let function: Call = if mail { rainv_scan_mail } else { rainv_check };
        let (status, json, error) =
            call(function, &bytes, &name, None, Some("2026-11-22T10:00:00Z"));
        assert_eq!(error, None, "{name}");
        let lines = lines(json.as_deref().unwrap(), &name);
        let rejected = lines.iter().any(|l| l["verdict"] == "reject");
        let unread = lines.iter().any(|l| l["verdict"].is_null());
        let expected = if unread {
            RAINV_ERROR
        } else if rejected {
            RAINV_REJECTED
        } else {
            RAINV_OK
        };
        assert_eq!(status, expected, "{name}");
        if !mail {
            assert!(!lines.is_empty(), "{name}: a file given is always answered");
            let (status, json, _) = call(rainv_open, &bytes, &name, Some("HOSTILE12345"), None);
            assert!(matches!(status, RAINV_OK | RAINV_REJECTED), "{name}");
            assert_eq!(self::lines(&json.unwrap(), &name).len(), 1, "{name}");
        }
        seen += 1;
    }
    assert!(seen > 150);
}

#[test]
fn wrong_arguments_are_errors_that_name_the_argument() {
    let mut error = null_mut();
    let mut json = null_mut();
    // SAFETY: NULL data with a length is what is being refused; the rest is valid.
    let status = unsafe {
        rainv_check(
            null(),
            5,
            null(),
            null(),
            null(),
            null(),
            &mut json,
            &mut error,
        )
    };
    assert_eq!(status, RAINV_ERROR);
    assert!(json.is_null());
    assert_eq!(take(error).unwrap(), "data is NULL but len is 5");

    let (status, json, error) = call(rainv_check, b"", "x", None, Some("yesterday"));
    assert_eq!((status, json), (RAINV_ERROR, None));
    assert!(error.unwrap().starts_with("now \"yesterday\": "));

    // A password that is not UTF-8.
    let bad = [0xffu8, 0];
    let mut error = null_mut();
    // SAFETY: valid pointers; the password is NUL-terminated.
    let status = unsafe {
        rainv_open(
            b"".as_ptr(),
            0,
            null(),
            bad.as_ptr().cast(),
            null(),
            null(),
            null_mut(),
            &mut error,
        )
    };
    assert_eq!(status, RAINV_ERROR);
    assert!(take(error).unwrap().starts_with("password is not UTF-8"));
}

#[test]
fn a_policy_is_made_from_toml_and_its_errors_name_the_line() {
    let mut policy = null_mut();
    let mut error = null_mut();
    let toml = c("allow_expired = true\n");
    // SAFETY: valid pointers.
    let status = unsafe { rainv_policy_new(toml.as_ptr(), &mut policy, &mut error) };
    assert_eq!(status, RAINV_OK);
    assert!(error.is_null());
    // An invitation made in 2006 for an hour is accepted by this policy only.
    let bytes = std::fs::read(root().join("testdata/ms-rai-sample-xp.msrcincident")).unwrap();
    let mut json = null_mut();
    // SAFETY: valid pointers, a live policy.
    let status = unsafe {
        rainv_check(
            bytes.as_ptr(),
            bytes.len(),
            null(),
            null(),
            policy,
            null(),
            &mut json,
            null_mut(),
        )
    };
    assert_eq!(status, RAINV_OK, "{:?}", take(json));
    // SAFETY: made above, freed once.
    unsafe { rainv_policy_free(policy) };
    let (status, _, _) = call(rainv_check, &bytes, "", None, None);
    assert_eq!(status, RAINV_REJECTED);

    let toml = c("allow_expired = true\nmax_size_bytes = \"big\"\n");
    let mut policy = null_mut();
    // SAFETY: valid pointers.
    let status = unsafe { rainv_policy_new(toml.as_ptr(), &mut policy, &mut error) };
    assert_eq!(status, RAINV_ERROR);
    assert!(policy.is_null());
    let message = take(error).unwrap();
    assert!(
        message.starts_with("policy: ") && message.contains("line 2"),
        "{message}"
    );
}

#[test]
fn the_pass_stub_proof_round_trips_and_a_wrong_one_is_rejected() {
    let (password, stub) = (c("P@ssw0rd"), c("Dv6n7m!qW3Bbz0"));
    let mut pass = null_mut();
    // SAFETY: valid pointers.
    let status =
        unsafe { rainv_pass_stub_encrypt(password.as_ptr(), stub.as_ptr(), &mut pass, null_mut()) };
    assert_eq!(status, RAINV_OK);
    let pass = take(pass).unwrap();
    assert_eq!(
        pass,
        rainv::pass_stub::encrypt(&rainv::Password::new("P@ssw0rd"), "Dv6n7m!qW3Bbz0")
    );
    assert_eq!(pass.len(), 64);
    let verify = |password: &CString, pass: &str| {
        let pass = c(pass);
        let mut error = null_mut();
        // SAFETY: valid pointers.
        let status = unsafe {
            rainv_pass_stub_verify(password.as_ptr(), stub.as_ptr(), pass.as_ptr(), &mut error)
        };
        (status, take(error))
    };
    assert_eq!(verify(&password, &pass), (RAINV_OK, None));
    assert_eq!(verify(&c("wrong"), &pass).0, RAINV_REJECTED);
    let (status, error) = verify(&password, "not hex");
    assert_eq!(status, RAINV_ERROR);
    assert!(error.unwrap().starts_with("pass is not hex"));
    // SAFETY: NULL is refused, not read.
    let status = unsafe { rainv_pass_stub_verify(null(), stub.as_ptr(), null(), null_mut()) };
    assert_eq!(status, RAINV_ERROR);
}

#[test]
fn one_policy_serves_many_threads() {
    let toml = c("allow_expired = true\n");
    let mut policy = null_mut();
    // SAFETY: valid pointers.
    assert_eq!(
        unsafe { rainv_policy_new(toml.as_ptr(), &mut policy, null_mut()) },
        RAINV_OK
    );
    let shared = policy as usize;
    let bytes = std::fs::read(root().join("testdata/ms-rai-sample-xp.msrcincident")).unwrap();
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                for _ in 0..50 {
                    let mut json = null_mut();
                    // SAFETY: the policy lives until every thread has ended.
                    let status = unsafe {
                        rainv_check(
                            bytes.as_ptr(),
                            bytes.len(),
                            null(),
                            null(),
                            shared as *const rainv_policy,
                            null(),
                            &mut json,
                            null_mut(),
                        )
                    };
                    assert_eq!(status, RAINV_OK);
                    take(json).unwrap();
                }
            });
        }
    });
    // SAFETY: every thread has ended.
    unsafe { rainv_policy_free(policy) };
}

#[test]
fn a_panic_stops_at_the_boundary() {
    let mut error = null_mut();
    let status = guarded(&mut error, || panic!("a bug"));
    assert_eq!(status, RAINV_INTERNAL);
    assert!(
        take(error)
            .unwrap()
            .starts_with("internal error in rainv (a bug)")
    );
    // Without an error pointer, the status alone says so.
    assert_eq!(guarded(null_mut(), || panic!("a bug")), RAINV_INTERNAL);
}

#[test]
fn check_tells_archives_by_the_last_component_of_the_file_name() {
    // Junk too large for an invitation: named like an archive it is opened as one (and found
    // damaged); otherwise it is judged as an invitation too large to read.
    let junk = vec![b'x'; 300 * 1024];
    let code = |file: &str| {
        let (_, json, _) = call(rainv_check, &junk, file, None, None);
        lines(&json.unwrap(), file)[0]["findings"][0]["code"].clone()
    };
    assert_eq!(
        code("mail/attachments\\invite.zip"),
        "archive.not-inspected"
    );
    assert_eq!(code("invite.zip/attachment.msrcincident"), "size.too-large");
    assert_eq!(code(""), "size.too-large");
}
