//! An INI reader that resolves Asterisk's templates, as its configuration parser does:
//! `[name](!)` defines a template, `[name](tpl1,tpl2)` starts a section holding a copy of
//! each template's keys (in order) before its own. Lines are read by the library's own
//! reader of the DPMA fragment ([`ringforge::manifest::read::dpma_sections`]).

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
    for read in ringforge::manifest::read::dpma_sections(text).map_err(|e| e.to_string())? {
        let mut section = Section::default();
        for opt in read
            .options
            .iter()
            .flat_map(|o| o.split(','))
            .map(str::trim)
        {
            if opt == "!" {
                section.is_template = true;
            } else {
                let tpl = sections
                    .get(opt)
                    .filter(|s| s.is_template)
                    .ok_or(format!("[{}]: no template [{opt}](!)", read.name))?;
                section.values.extend(tpl.values.clone());
            }
        }
        section.values.extend(read.values);
        sections.insert(read.name, section);
    }
    Ok(sections)
}
