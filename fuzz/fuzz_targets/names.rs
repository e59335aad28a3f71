//! Fuzzes what turns user-supplied names into manifest text: tone ids from file paths (any
//! bytes, not only UTF-8), display names from file stems, and the escaping of display names and
//! `alert_info` values in the phone XML and the DPMA fragment.
//!
//! Checked: an id is always in the safe set or refused with a reason; a display name made from
//! a stem is always accepted; every accepted value reads back exactly as written, through an
//! XML parser and through Asterisk's configuration-file rules.
#![no_main]


use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use libfuzzer_sys::fuzz_target;
use ringforge::id;
use ringforge::manifest::{read, Alert, ManifestSet, ManifestTone, RingType};
use ringforge::Error;

fuzz_target!(|data: &[u8]| {
    // Ids from arbitrary path bytes.
    let path = Path::new(OsStr::from_bytes(data));
    match id::id_from_relative_path(path) {
        Ok(id) => {
            assert!(id::validate_id(&id).is_ok(), "{id:?}");
            assert!(id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_'));
            assert!(id::validate_file_name(&format!("{id}.sln")).is_ok());
        }
        Err(Error::InvalidId { .. } | Error::BuiltinCollision { .. }) => {}
        Err(e) => panic!("unexpected error: {e}"),
    }

    let text = String::from_utf8_lossy(data);
    let stem = id::display_from_stem(&text);
    assert!(
        stem.is_empty() || id::validate_display(&stem).is_ok(),
        "{stem:?}"
    );

    // Display names: refused, or read back exactly.
    if let Ok(tone) = ManifestTone::new("t", text.to_string(), "t.sln", &[0, 0], None, None) {
        let set = ManifestSet::new(vec![tone]);
        let xml = set.phone_xml().unwrap();
        assert_eq!(
            read::phone_xml(&xml).unwrap().tones[0].display.as_deref(),
            Some(&*text)
        );
        let conf = set.dpma_conf().unwrap();
        assert_eq!(
            read::dpma_conf(&conf).unwrap().tones[0].display.as_deref(),
            Some(&*text)
        );
    } else {
        assert!(id::validate_display(&text).is_err());
    }

    // alert_info: refused, or read back exactly in both XML forms and in the DPMA.
    if let Ok(alert) = Alert::new(text.to_string(), Some("t".into()), RingType::Normal) {
        let tone = ManifestTone::new("t", "T", "t.sln", &[0, 0], None, None).unwrap();
        let set = ManifestSet {
            alerts: vec![alert.clone()],
            ..ManifestSet::new(vec![tone])
        };
        if let (Ok(xml), Ok(conf)) = (set.phone_xml(), set.dpma_conf()) {
            let infos: Vec<String> = read::phone_xml(&xml)
                .unwrap()
                .alerts
                .into_iter()
                .map(|a| a.alert_info)
                .collect();
            assert!(infos.iter().any(|i| *i == *text), "{infos:?}");
            assert!(infos.contains(&alert.dpma_alert_info()));
            let dpma: Vec<String> = read::dpma_conf(&conf)
                .unwrap()
                .alerts
                .into_iter()
                .map(|a| a.alert_info)
                .collect();
            assert_eq!(dpma, vec![text.to_string()]);
        }
    }
});
