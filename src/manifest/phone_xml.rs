//! The phone XML (`ringtones.xml`): the `<config><ringtones>` block a D-series phone reads
//! when provisioned without the DPMA.
//!
//! Layout (two-space indent, attribute values XML-escaped by quick-xml, UTF-8):
//!
//! ```xml
//! <?xml version="1.0" encoding="UTF-8"?>
//! <config>
//!   <ringtones>
//!     <tones>
//!       <tone id="Alarm" display="Alarm" type="phone"/>
//!       <!-- … the other built-ins, in the vendor's order, unless builtin_tones is false … -->
//!       <tone id="front-desk" display="Front Desk" type="user" url="http://pbx/digium_phones/front-desk.sln" md5="…"/>
//!     </tones>
//!     <alerts>
//!       <alert alert_info="frontdesk" ringtone_id="front-desk" ring_type="normal"/>
//!       <alert alert_info="&lt;http://127.0.0.1&gt;;info=frontdesk" ringtone_id="front-desk" ring_type="normal"/>
//!     </alerts>
//!   </ringtones>
//! </config>
//! ```
//!
//! User tones follow the built-ins, sorted by id (ignoring case). Each alert appears twice, as
//! DPMA-generated configs list them: with the bare `alert_info` and in the form
//! `<http://127.0.0.1>;info=VALUE`; alerts are sorted by `alert_info`. `ringtone_id` is empty
//! for `answer` and `visual` alerts without a tone. With no alerts the element is `<alerts/>`.
//! The document ends with a newline.

use std::io;

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, Event};
use quick_xml::Writer;

use super::{dpma_form, Prepared};
use crate::id::BUILTIN_TONES;
use crate::{Error, Result};

/// Renders the phone XML for a validated set.
pub(crate) fn render(set: &Prepared<'_>) -> Result<String> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    write_document(&mut w, set)
        .map_err(|e| Error::Invalid(format!("writing the phone XML failed: {e}")))?;
    let mut bytes = w.into_inner();
    bytes.push(b'\n');
    String::from_utf8(bytes).map_err(|e| Error::Invalid(format!("the phone XML is not UTF-8: {e}")))
}

fn write_document(w: &mut Writer<Vec<u8>>, set: &Prepared<'_>) -> io::Result<()> {
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    start(w, "config")?;
    start(w, "ringtones")?;

    start(w, "tones")?;
    if set.builtin_tones {
        for (id, display) in BUILTIN_TONES {
            w.create_element("tone")
                .with_attribute(("id", id))
                .with_attribute(("display", display))
                .with_attribute(("type", "phone"))
                .write_empty()?;
        }
    }
    for tone in &set.tones {
        let url = set.url_for(&tone.file_name);
        w.create_element("tone")
            .with_attribute(("id", tone.id.as_str()))
            .with_attribute(("display", tone.display.as_str()))
            .with_attribute(("type", "user"))
            .with_attribute(("url", url.as_str()))
            .with_attribute(("md5", tone.md5.as_str()))
            .write_empty()?;
    }
    end(w, "tones")?;

    if set.alerts.is_empty() {
        w.write_event(Event::Empty(BytesStart::new("alerts")))?;
    } else {
        start(w, "alerts")?;
        for alert in &set.alerts {
            let wrapped = dpma_form(alert.alert_info);
            for info in [alert.alert_info, wrapped.as_str()] {
                w.create_element("alert")
                    .with_attribute(("alert_info", info))
                    .with_attribute(("ringtone_id", alert.tone.unwrap_or("")))
                    .with_attribute(("ring_type", alert.ring_type.as_str()))
                    .write_empty()?;
            }
        }
        end(w, "alerts")?;
    }

    end(w, "ringtones")?;
    end(w, "config")
}

fn start(w: &mut Writer<Vec<u8>>, name: &str) -> io::Result<()> {
    w.write_event(Event::Start(BytesStart::new(name)))
}

fn end(w: &mut Writer<Vec<u8>>, name: &str) -> io::Result<()> {
    w.write_event(Event::End(BytesEnd::new(name)))
}

#[cfg(test)]
mod tests {
    use crate::manifest::{Alert, ManifestSet, ManifestTone};

    #[test]
    fn exact_layout() {
        let t = ManifestTone::new(
            "front-desk",
            "Front & <Desk>",
            "front-desk.sln",
            b"abc",
            None,
            None,
        )
        .unwrap();
        let set = ManifestSet {
            tones: vec![t],
            alerts: vec!["front\"desk=front-desk".parse::<Alert>().unwrap()],
            url_prefix: Some("http://pbx/p".into()),
            builtin_tones: false,
            logos: Vec::new(),
        };
        let xml = set.phone_xml().unwrap();
        let expected = r#"<?xml version="1.0" encoding="UTF-8"?>
<config>
  <ringtones>
    <tones>
      <tone id="front-desk" display="Front &amp; &lt;Desk&gt;" type="user" url="http://pbx/p/front-desk.sln" md5="900150983cd24fb0d6963f7d28e17f72"/>
    </tones>
    <alerts>
      <alert alert_info="front&quot;desk" ringtone_id="front-desk" ring_type="normal"/>
      <alert alert_info="&lt;http://127.0.0.1&gt;;info=front&quot;desk" ringtone_id="front-desk" ring_type="normal"/>
    </alerts>
  </ringtones>
</config>
"#;
        assert_eq!(xml, expected);
    }

    #[test]
    fn builtins_first_and_empty_alerts() {
        let xml = ManifestSet::default().phone_xml().unwrap();
        assert!(xml.contains("<tone id=\"Alarm\" display=\"Alarm\" type=\"phone\"/>"));
        assert!(xml.contains("<tone id=\"GuitarStrum\" display=\"Guitar Strum\" type=\"phone\"/>"));
        assert_eq!(xml.matches("type=\"phone\"").count(), 14);
        assert!(xml.contains("    <alerts/>\n"));
        assert!(xml.ends_with("</config>\n"));
    }
}
