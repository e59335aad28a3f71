//! An INI reader that resolves Asterisk's templates, as its configuration parser does:
//! `[name](!)` defines a template, `[name](tpl1,tpl2)` starts a section holding a copy of
//! each template's keys (in order) before its own. Comments start at an unescaped `;`.

use std::collections::BTreeMap;

/// A section after template inheritance.
#[derive(Debug, Default, Clone)]
pub struct Section {
    pub is_template: bool,
    pub values: Vec<(String, String)>,
}

/// Reads `text`; refuses a section inheriting a template that was not defined before it.
pub fn read(text: &str) -> Result<BTreeMap<String, Section>, String> {
    let mut sections: BTreeMap<String, Section> = BTreeMap::new();
    let mut current: Option<String> = None;
    for (n, raw) in text.lines().enumerate() {
        let mut line = String::new();
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&';') => {
                    line.push(';');
                    chars.next();
                }
                ';' => break,
                c => line.push(c),
            }
        }
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix('[') {
            let (name, after) = rest
                .split_once(']')
                .ok_or(format!("line {}: no ]", n + 1))?;
            let mut section = Section::default();
            if let Some(opts) = after.trim().strip_prefix('(') {
                let opts = opts
                    .strip_suffix(')')
                    .ok_or(format!("line {}: no )", n + 1))?;
                for opt in opts.split(',').map(str::trim) {
                    if opt == "!" {
                        section.is_template = true;
                    } else {
                        let tpl = sections
                            .get(opt)
                            .filter(|s| s.is_template)
                            .ok_or(format!("line {}: no template [{opt}](!)", n + 1))?;
                        section.values.extend(tpl.values.clone());
                    }
                }
            }
            sections.insert(name.to_string(), section);
            current = Some(name.to_string());
        } else {
            let (k, v) = line
                .split_once('=')
                .ok_or(format!("line {}: expected key=value", n + 1))?;
            let name = current
                .as_ref()
                .ok_or(format!("line {}: outside a section", n + 1))?;
            let section = sections.get_mut(name).expect("current section exists");
            section.values.push((
                k.trim().to_string(),
                v.trim_start_matches('>').trim().to_string(),
            ));
        }
    }
    Ok(sections)
}
