//! The library names an option in its messages as `` `name=value` ``, the spelling of
//! `ringforge.toml` and of the Python and JavaScript keywords. `convert` and `inspect` take flags
//! instead, so what they print names the flags: `` `start=TIME` `` becomes `--start TIME`,
//! `` `clip=true` `` becomes `--clip`.

use std::borrow::Cow;

/// Each option keyword a message may name, with the flag of `convert` and `inspect` that sets it.
pub const FLAGS: &[(&str, &str)] = &[
    ("allow_upsample", "--allow-upsample"),
    ("channel", "--channel"),
    ("clip", "--clip"),
    ("fade_out_seconds", "--fade-out"),
    ("gain_db", "--gain"),
    ("length", "--length"),
    ("limiter", "--limiter"),
    ("max_bytes", "--max-bytes"),
    ("max_channels", "--max-channels"),
    ("max_decoded_seconds", "--max-seconds"),
    ("max_input_bytes", "--max-input-bytes"),
    ("max_sample_rate", "--max-sample-rate"),
    ("normalize", "--normalize"),
    ("on_oversize", "--on-oversize"),
    ("start", "--start"),
    ("trim_silence", "--trim-silence"),
];

/// `message` with every `` `name=value` `` whose name has a flag written as that flag.
pub fn as_flags(message: &str) -> Cow<'_, str> {
    if !message.contains('`') {
        return Cow::Borrowed(message);
    }
    let mut out = String::with_capacity(message.len());
    let mut rest = message;
    while let Some(open) = rest.find('`') {
        let Some(len) = rest[open + 1..].find('`') else {
            break;
        };
        let quoted = &rest[open + 1..open + 1 + len];
        out.push_str(&rest[..open]);
        match flag(quoted) {
            Some(f) => out.push_str(&f),
            None => out.push_str(&rest[open..open + len + 2]),
        }
        rest = &rest[open + len + 2..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// The flag form of `name=value`, when `name` has a flag.
fn flag(quoted: &str) -> Option<String> {
    let (name, value) = quoted.split_once('=')?;
    let (_, flag) = FLAGS.iter().find(|(n, _)| *n == name)?;
    Some(match (name, value) {
        // Switches: `--clip`, `--allow-upsample`.
        ("clip" | "allow_upsample", "true") => (*flag).to_string(),
        // `--trim-silence` takes its value after `=`.
        ("trim_silence", v) => format!("{flag}={v}"),
        (_, v) => format!("{flag} {v}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn keywords_become_flags_and_other_quotes_stay() {
        assert_eq!(
            as_flags("choose the part with `start=TIME` and `length=TIME`"),
            "choose the part with --start TIME and --length TIME"
        );
        assert_eq!(
            as_flags("or keep it with `clip=true`"),
            "or keep it with --clip"
        );
        assert_eq!(
            as_flags("raise the limit (`max_decoded_seconds=SECONDS`)"),
            "raise the limit (--max-seconds SECONDS)"
        );
        assert_eq!(as_flags("tone `clip` and `a=b`"), "tone `clip` and `a=b`");
        assert_eq!(as_flags("an odd ` quote"), "an odd ` quote");
        assert_eq!(as_flags("plain"), "plain");
    }

    #[test]
    fn every_flag_exists_and_every_keyword_is_an_option() {
        let cli = super::super::Cli::command();
        let convert = cli.find_subcommand("convert").expect("convert");
        let longs: Vec<String> = convert
            .get_arguments()
            .filter_map(|a| a.get_long().map(|l| format!("--{l}")))
            .collect();
        for (name, flag) in FLAGS {
            assert!(
                longs.iter().any(|l| l == flag),
                "{flag} is not a convert flag"
            );
            assert!(
                ringforge::keywords::NAMES.contains(name),
                "{name} is not a keyword"
            );
        }
    }
}
